import type { CityData } from 'city-timezones';
import { foldName as fold } from './place-names.js';

/** Everyday short names of cities that the `city-timezones` list does not carry, folded as the gazetteer folds. */
const SHORT_NAMES: Record<string, string> = {
  nyc: 'new york',
  sf: 'san francisco',
  dc: 'washington d c',
  'washington dc': 'washington d c',
  // The list has no city called just "Washington" (the place finder reads "Washington DC" as it, DC being no state
  // it knows): the capital is what people mean.
  washington: 'washington d c',
};

let index: Promise<Map<string, CityData[]>> | undefined;

/** The cities by folded name (as written and in ASCII), most populous first; built on the first question. */
function cities(): Promise<Map<string, CityData[]>> {
  index ??= import('city-timezones').then(({ cityMapping }) => {
    const byName = new Map<string, CityData[]>();
    for (const city of [...cityMapping].sort((a, b) => b.pop - a.pop)) {
      for (const key of new Set([fold(city.city), fold(city.city_ascii)])) {
        const named = byName.get(key);
        if (named) named.push(city);
        else byName.set(key, [city]);
      }
    }
    return byName;
  });
  return index;
}

/**
 * The IANA time zone of a city, from the `city-timezones` package (about 7,300 cities with their zone), loaded on the
 * first question so start-up does not pay for it. Names are folded as the place gazetteer folds them (case, accents,
 * punctuation), so "Quebec" finds "Québec". "Portland, Oregon" picks the Portland in Oregon; otherwise the most
 * populous city of the name wins. "New York City" is New York when no city has the longer name (as the gazetteer
 * reads it; "Mexico City" stays itself), and a few everyday short names ("NYC", "Washington DC", "Washington") are known.
 */
export async function cityTimeZone(place: string): Promise<string | undefined> {
  const byName = await cities();
  const named = (written: string): CityData[] => {
    const name = SHORT_NAMES[written] ?? written;
    return byName.get(name) ?? (name.endsWith(' city') ? byName.get(name.slice(0, -' city'.length)) : undefined) ?? [];
  };
  // The whole place first: some names hold a comma ("Washington, D.C.").
  const whole = named(fold(place));
  if (whole.length > 0) return whole[0]?.timezone;
  const [name = '', qualifier] = place.split(',').map(fold);
  const matches = named(name);
  const within =
    qualifier === undefined
      ? matches
      : matches.filter((c) =>
          [c.province, c.country, c.iso2, c.iso3, c.state_ansi].some((field) => field && fold(field) === qualifier),
        );
  return (within[0] ?? matches[0])?.timezone;
}
