/** The words and numbers of an utterance, with their spans, for the entity extractor. */
import type { SlotValue } from '../../core/model/understanding.js';

/** An extracted entity with its character span in the original text. */
export interface EntityMatch extends SlotValue {
  start: number;
  end: number;
}

/** A word (letters, with inner apostrophes) or a number in digits, and its span in the folded text. */
export interface Token {
  text: string;
  start: number;
  end: number;
  /** The characters between the previous token and this one. */
  gapBefore: string;
}

export function tokenize(folded: string): Token[] {
  if (PLAIN_ASCII.test(folded)) return tokenizeAscii(folded);
  const tokens: Token[] = [];
  let previousEnd = 0;
  for (const m of folded.matchAll(/\d+(?:\.\d+)?|\p{L}+(?:'\p{L}+)*/gu)) {
    tokens.push({
      text: m[0],
      start: m.index,
      end: m.index + m[0].length,
      gapBefore: folded.slice(previousEnd, m.index),
    });
    previousEnd = m.index + m[0].length;
  }
  return tokens;
}

/** The same tokens for printable ASCII, scanned by hand: in it a letter is a-z or A-Z, a digit 0-9. */
function tokenizeAscii(folded: string): Token[] {
  const tokens: Token[] = [];
  let previousEnd = 0;
  let i = 0;
  while (i < folded.length) {
    const start = i;
    if (isDigit(folded.charCodeAt(i))) {
      while (isDigit(folded.charCodeAt(i))) i += 1;
      if (folded.charCodeAt(i) === DOT && isDigit(folded.charCodeAt(i + 1))) {
        i += 1;
        while (isDigit(folded.charCodeAt(i))) i += 1;
      }
    } else if (isLetter(folded.charCodeAt(i))) {
      while (isLetter(folded.charCodeAt(i))) i += 1;
      while (folded.charCodeAt(i) === APOSTROPHE && isLetter(folded.charCodeAt(i + 1))) {
        i += 1;
        while (isLetter(folded.charCodeAt(i))) i += 1;
      }
    } else {
      i += 1;
      continue;
    }
    tokens.push({ text: folded.slice(start, i), start, end: i, gapBefore: folded.slice(previousEnd, start) });
    previousEnd = i;
  }
  return tokens;
}

const DOT = 0x2e;
const APOSTROPHE = 0x27;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isLetter(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
}

/** True when only separators lie between token `i` and the next one (by default spaces, commas or hyphens). */
export function adjacent(tokens: Token[], i: number, gap = /^[\s,-]*$/): boolean {
  const next = tokens[i + 1];
  return i >= 0 && next !== undefined && gap.test(next.gapBefore);
}

/** Printable ASCII only: nothing to strip, and lower-casing keeps every offset. */
export const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/** Lower-cases and strips accents one character at a time, so offsets into the folded text match the original. */
export function fold(text: string): string {
  // The common case, and a per-character callback is the bulk of extraction's cost: take the shortcut.
  if (PLAIN_ASCII.test(text)) return text.toLowerCase();
  return text.replace(/[^]/gu, (ch) => {
    const plain = ch.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    return plain.length === ch.length ? plain : ch.toLowerCase().length === ch.length ? ch.toLowerCase() : ch;
  });
}
