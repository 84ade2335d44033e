/**
 * The IANA time zone of a city, from the `city-timezones` package (about 7,300 cities with their zone), loaded on the
 * first question so start-up does not pay for it. "Portland, Oregon" picks the Portland in Oregon; otherwise the most
 * populous city of the name wins.
 */
export async function cityTimeZone(place: string): Promise<string | undefined> {
  const { lookupViaCity } = await import('city-timezones');
  const [name = '', qualifier] = place.split(',').map((part) => part.trim().toLowerCase());
  const matches = [...lookupViaCity(name)].sort((a, b) => b.pop - a.pop);
  const within =
    qualifier === undefined
      ? matches
      : matches.filter((c) =>
          [c.province, c.country, c.iso2, c.iso3, c.state_ansi].some((field) => field?.toLowerCase() === qualifier),
        );
  return (within[0] ?? matches[0])?.timezone;
}
