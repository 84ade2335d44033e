import { randomFillSync } from 'node:crypto';

/** UUIDs per refill of the random pool, as Node's own randomUUID keeps. */
const POOL_IDS = 128;
const pool = Buffer.alloc(POOL_IDS * 16);
let offset = pool.length;
/** The text of one UUID, written in place; the dashes never move. */
const text = Buffer.from('00000000-0000-4000-8000-000000000000', 'latin1');
const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Where each of the 16 bytes goes in the text. */
const AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/**
 * A random (version 4) UUID, as `crypto.randomUUID()` makes one: 122 bits from the CSPRNG, drawn from a pool refilled
 * every 128 ids, lower-case hex with dashes. Unlike randomUUID's, the string is flat: Node builds its UUID by
 * concatenating 20 pieces, which V8 keeps as a tree of ~15 cons strings (~480 bytes) until something flattens it, so
 * every id an in-memory store kept (two per stored exchange) held that tree: 961 of the 1,491 bytes a turn left on the
 * memory store's heap, all of it copied by the scavenges until promoted. This one is a single 36-character string.
 */
export function randomId(): string {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  for (let i = 0; i < 16; i += 1) {
    let byte = pool[offset + i]!;
    if (i === 6)
      byte = (byte & 0x0f) | 0x40; // version 4
    else if (i === 8) byte = (byte & 0x3f) | 0x80; // variant 10xx (RFC 9562)
    const at = AT[i]!;
    text[at] = HEX[byte >> 4]!;
    text[at + 1] = HEX[byte & 0x0f]!;
  }
  offset += 16;
  return text.toString('latin1', 0, 36);
}
