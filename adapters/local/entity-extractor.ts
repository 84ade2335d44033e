import type { SlotValue } from '../../core/model/understanding.js';
import type { EntityType } from '../../core/model/understanding.js';

/** An extracted entity with its character span in the original text. */
export interface EntityMatch extends SlotValue {
  start: number;
  end: number;
}

export interface ExtractOptions {
  /** The entity the assistant just asked for: it wins ambiguous spans, and for a city any capitalised name counts. */
  expecting?: EntityType;
  /** Reads the words after "in"/"for" as a place. Only for intents that take a city: elsewhere "in 20 minutes" is no place. */
  placeAfterPreposition?: boolean;
}

interface Token {
  text: string;
  start: number;
  end: number;
  /** The characters between the previous token and this one. */
  gapBefore: string;
}

type DictionaryType = 'city' | 'genre' | 'artist' | 'title';
const DICTIONARY_TYPES: readonly DictionaryType[] = ['city', 'genre', 'artist', 'title'];
/** Entities a dictionary hit or a number may not overlap; a place read from the words may overlap only the first two. */
const QUANTITIES: readonly EntityType[] = ['duration', 'number'];
const QUANTITIES_AND_NAMES: readonly EntityType[] = [...QUANTITIES, ...DICTIONARY_TYPES];

const UNITS: Record<string, number> = {
  second: 1,
  seconds: 1,
  sec: 1,
  secs: 1,
  minute: 60,
  minutes: 60,
  min: 60,
  mins: 60,
  hour: 3600,
  hours: 3600,
  hr: 3600,
  hrs: 3600,
  day: 86_400,
  days: 86_400,
};
const SMALL = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
/** `indexOf` in SMALL and TENS as map lookups (first index, as indexOf gives), for the per-token number scan. */
const SMALL_INDEX = indexOf(SMALL);
const TENS_INDEX = indexOf(TENS);
/** A whole number or decimal in digits. */
const DIGITS = /^\d+(?:\.\d+)?$/;
/** Quantities that only mean a number in front of a unit ("an hour", "half a minute", "a couple of hours"). */
const UNIT_QUANTITIES: Record<string, number> = { a: 1, an: 1, half: 0.5, quarter: 0.25, couple: 2 };
const ARTICLES = new Set(['a', 'an']);
/** Words that end (or rule out) a place name read after "in"/"for". */
const NOT_PLACE = new Set([
  'a',
  'an',
  'the',
  'this',
  'that',
  'these',
  'next',
  'coming',
  'today',
  'tonight',
  'tomorrow',
  'now',
  'right',
  'here',
  'there',
  'please',
  'me',
  'us',
  'it',
  'my',
  'our',
  'your',
  'general',
  'week',
  'weekend',
  'morning',
  'afternoon',
  'evening',
  'night',
  'day',
  'days',
  'hours',
  'minutes',
  'and',
  'or',
  'but',
  'at',
  'on',
  'with',
  'then',
  'later',
  'celsius',
  'fahrenheit',
  'degrees',
  'outside',
  'i',
  'said',
  'um',
  'uh',
  'hmm',
  'er',
  'well',
  'yes',
  'no',
  'ok',
  'okay',
  "it's",
]);

/** Finds dictionary values, durations, numbers and (on request) place names in an utterance. Pure: no I/O, no state. */
export class EntityExtractor {
  private readonly dictionary: { type: DictionaryType; value: string; pattern: RegExp }[] = [];
  /**
   * The dictionary entries (indexes, in dictionary order) whose value's first run of letters and digits is the key.
   * A value can only match where that run stands whole in the text (its pattern refuses a letter or digit on either
   * side, and the value's own characters around the run are neither), so only the entries of the text's runs are
   * tried: a lookup per word instead of a substring test per entry.
   */
  private readonly byRun = new Map<string, number[]>();
  /** Entries whose value has no letter or digit at all: always tried. */
  private readonly runless: number[] = [];

  constructor(dictionaries: Partial<Record<EntityType, readonly string[]>>) {
    for (const type of DICTIONARY_TYPES) {
      for (const value of dictionaries[type] ?? []) {
        const plain = fold(value).trim().split(/\s+/).filter(Boolean);
        const words = plain.map(escapeRegex);
        if (words.length === 0) continue;
        const index = this.dictionary.length;
        this.dictionary.push({
          type,
          value,
          pattern: new RegExp(`(?<![\\p{L}\\p{N}])${words.join('\\s+')}(?![\\p{L}\\p{N}])`, 'gu'),
        });
        const run = RUN.exec(plain[0] as string)?.[0];
        RUN.lastIndex = 0;
        if (run === undefined) this.runless.push(index);
        else {
          const entries = this.byRun.get(run);
          if (entries) entries.push(index);
          else this.byRun.set(run, [index]);
        }
      }
    }
  }

  extract(text: string, options: ExtractOptions = {}): EntityMatch[] {
    const folded = fold(text);
    const tokens = tokenize(folded);
    let found: EntityMatch[] = [];
    for (const match of this.durations(text, tokens)) found.push(match);
    for (const match of this.dictionaryMatches(text, folded, options.expecting))
      if (freeOf(found, QUANTITIES_AND_NAMES, match.start, match.end)) found.push(match);
    for (const match of numbers(text, tokens))
      if (freeOf(found, QUANTITIES_AND_NAMES, match.start, match.end)) found.push(match);
    if (!found.some((m) => m.entity === 'city')) {
      // Where a city is wanted, a place name beats a genre or title inside it ("Little Rock" is not rock music).
      const taken = found;
      const place =
        ((options.placeAfterPreposition || options.expecting === 'city') &&
          placeAfterPreposition(text, tokens, (start, end) => freeOf(taken, QUANTITIES, start, end))) ||
        (options.expecting === 'city' &&
          capitalisedName(text, tokens, (start, end) => freeOf(taken, QUANTITIES, start, end)));
      if (place) found = [...found.filter((m) => m.end <= place.start || m.start >= place.end), place];
    }
    return found.sort((a, b) => a.start - b.start);
  }

  /** Every dictionary hit, longest first, keeping only spans that do not overlap a longer one. */
  private dictionaryMatches(text: string, folded: string, expecting: EntityType | undefined): EntityMatch[] {
    const hits: EntityMatch[] = [];
    for (const index of this.candidates(folded)) {
      const { type, value, pattern } = this.dictionary[index] as EntityExtractor['dictionary'][number];
      for (const m of folded.matchAll(pattern)) {
        const start = m.index;
        hits.push({
          entity: type,
          value,
          raw: text.slice(start, start + m[0].length),
          start,
          end: start + m[0].length,
        });
      }
    }
    hits.sort(
      (a, b) =>
        b.end - b.start - (a.end - a.start) ||
        (a.entity === expecting ? 0 : 1) - (b.entity === expecting ? 0 : 1) ||
        a.start - b.start,
    );
    const kept: EntityMatch[] = [];
    for (const hit of hits) if (kept.every((k) => hit.end <= k.start || hit.start >= k.end)) kept.push(hit);
    return kept;
  }

  /** The entries that can match somewhere in the folded text, in dictionary order, each once. */
  private candidates(folded: string): readonly number[] {
    let found: number[] | undefined;
    let single: readonly number[] = this.runless;
    for (const m of folded.matchAll(PLAIN_ASCII.test(folded) ? ASCII_RUN : RUN)) {
      const entries = this.byRun.get(m[0]);
      if (!entries) continue;
      if (single.length === 0) single = entries;
      else {
        found ??= [...single];
        found.push(...entries);
      }
    }
    if (!found) return single;
    return [...new Set(found.sort((a, b) => a - b))];
  }

  private durations(text: string, tokens: Token[]): EntityMatch[] {
    const found: EntityMatch[] = [];
    for (let i = 0; i < tokens.length;) {
      const first = durationPart(tokens, i);
      if (!first) {
        i += 1;
        continue;
      }
      let { seconds, next } = first;
      for (;;) {
        const and = tokens[next]?.text === 'and' ? 1 : 0;
        const more =
          adjacent(tokens, next - 1) && (!and || adjacent(tokens, next)) ? durationPart(tokens, next + and) : undefined;
        if (!more) break;
        seconds += more.seconds;
        next = more.next;
      }
      const start = (tokens[i] as Token).start;
      const end = (tokens[next - 1] as Token).end;
      found.push({ entity: 'duration', value: Math.round(seconds), raw: text.slice(start, end), start, end });
      i = next;
    }
    return found;
  }
}

/** True when the span overlaps none of the `found` entities of the given types. */
function freeOf(found: readonly EntityMatch[], types: readonly EntityType[], start: number, end: number): boolean {
  return found.every((m) => !types.includes(m.entity) || end <= m.start || start >= m.end);
}

/** One "<quantity> <unit>" group, with "and a half" before or after the unit; `next` is the token after it. */
function durationPart(tokens: Token[], i: number): { seconds: number; next: number } | undefined {
  const quantity = numberAt(tokens, i);
  let next = quantity?.next ?? i;
  let amount = quantity?.value;
  if (amount === undefined) {
    let word = tokens[next]?.text ?? '';
    if (ARTICLES.has(word) && ['half', 'quarter', 'couple'].includes(tokens[next + 1]?.text ?? ''))
      word = tokens[(next += 1)]?.text ?? '';
    amount = UNIT_QUANTITIES[word];
    if (amount === undefined) return undefined;
    next += 1;
    if (tokens[next]?.text === 'of') next += 1;
    if (amount !== 1 && ARTICLES.has(tokens[next]?.text ?? '')) next += 1;
  }
  if (andAHalf(tokens, next)) {
    amount += 0.5;
    next += 3;
  }
  const unit = UNITS[tokens[next]?.text ?? ''];
  if (unit === undefined || !adjacent(tokens, next - 1)) return undefined;
  next += 1;
  if (andAHalf(tokens, next)) {
    amount += 0.5;
    next += 3;
  }
  return { seconds: amount * unit, next };
}

/** "and a half" (or "and an half") at token `at`. */
function andAHalf(tokens: Token[], at: number): boolean {
  return tokens[at]?.text === 'and' && ARTICLES.has(tokens[at + 1]?.text ?? '') && tokens[at + 2]?.text === 'half';
}

/** A number in digits ("20", "1.5") or words ("twenty five", "one hundred and five"). */
function numberAt(tokens: Token[], i: number): { value: number; next: number } | undefined {
  const first = tokens[i]?.text ?? '';
  if (DIGITS.test(first)) return { value: Number(first), next: i + 1 };
  let total = 0;
  let current = 0;
  let next = i;
  while (next === i || adjacent(tokens, next - 1, /^[\s-]+$/)) {
    const word = tokens[next]?.text ?? '';
    const small = SMALL_INDEX.get(word) ?? -1;
    const tens = TENS_INDEX.get(word) ?? -1;
    const rest = current % 100;
    const after = tokens[next + 1]?.text ?? '';
    if (small >= 0 && (next === i || (small > 0 && (rest === 0 || (rest >= 20 && rest % 10 === 0 && small < 10)))))
      current += small;
    else if (tens >= 2 && rest === 0) current += tens * 10;
    else if (word === 'hundred' && next > i && current > 0 && current < 100) current *= 100;
    else if (word === 'thousand' && next > i && current > 0 && current < 1000)
      [total, current] = [total + current * 1000, 0];
    else if (!(word === 'and' && current >= 100 && (SMALL_INDEX.has(after) || TENS_INDEX.has(after)))) break;
    next += 1;
  }
  return next > i ? { value: total + current, next } : undefined;
}

function numbers(text: string, tokens: Token[]): EntityMatch[] {
  const found: EntityMatch[] = [];
  for (let i = 0; i < tokens.length;) {
    const n = numberAt(tokens, i);
    if (!n) {
      i += 1;
      continue;
    }
    const start = (tokens[i] as Token).start;
    const end = (tokens[n.next - 1] as Token).end;
    found.push({ entity: 'number', value: n.value, raw: text.slice(start, end), start, end });
    i = n.next;
  }
  return found;
}

/** Up to three words after "in"/"for", stopping at punctuation, digits or a word that cannot be part of a place. */
function placeAfterPreposition(
  text: string,
  tokens: Token[],
  free: (s: number, e: number) => boolean,
): EntityMatch | undefined {
  for (let i = 0; i < tokens.length; i += 1) {
    if (tokens[i]?.text !== 'in' && tokens[i]?.text !== 'for') continue;
    let next = i + 1;
    while (
      next < i + 4 &&
      isPlaceWord(tokens[next]) &&
      adjacent(tokens, next - 1, /^\s+$/) &&
      free((tokens[next] as Token).start, (tokens[next] as Token).end)
    )
      next += 1;
    if (next > i + 1) return place(text, tokens[i + 1] as Token, tokens[next - 1] as Token);
  }
  return undefined;
}

/** The first run of up to three capitalised words, for a bare answer to "For which city?". */
function capitalisedName(
  text: string,
  tokens: Token[],
  free: (s: number, e: number) => boolean,
): EntityMatch | undefined {
  const capitalised = (t: Token | undefined) =>
    t !== undefined && /^\p{Lu}/u.test(text.slice(t.start)) && isPlaceWord(t) && free(t.start, t.end);
  const first = tokens.findIndex(capitalised);
  if (first < 0) return undefined;
  let next = first + 1;
  while (next < first + 3 && capitalised(tokens[next]) && adjacent(tokens, next - 1, /^\s+$/)) next += 1;
  return place(text, tokens[first] as Token, tokens[next - 1] as Token);
}

function place(text: string, first: Token, last: Token): EntityMatch {
  const raw = text.slice(first.start, last.end);
  const value =
    raw === raw.toLowerCase()
      ? raw.replace(/(^|\s)(\p{L})/gu, (_m, space: string, letter: string) => space + letter.toUpperCase())
      : raw;
  return { entity: 'city', value, raw, start: first.start, end: last.end };
}

function isPlaceWord(token: Token | undefined): boolean {
  return token !== undefined && /^\p{L}+$/u.test(token.text) && !NOT_PLACE.has(token.text);
}

/** True when only separators lie between token `i` and the next one (by default spaces, commas or hyphens). */
function adjacent(tokens: Token[], i: number, gap = /^[\s,-]*$/): boolean {
  const next = tokens[i + 1];
  return i >= 0 && next !== undefined && gap.test(next.gapBefore);
}

function indexOf(words: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  words.forEach((word, i) => {
    if (!index.has(word)) index.set(word, i);
  });
  return index;
}

function tokenize(folded: string): Token[] {
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

/** A maximal run of letters and digits: what the dictionary patterns' lookarounds delimit. */
const RUN = /[\p{L}\p{N}]+/gu;
/** The same runs in printable ASCII, where the letters and digits are these. */
const ASCII_RUN = /[A-Za-z0-9]+/g;

/** Printable ASCII only: nothing to strip, and lower-casing keeps every offset. */
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/** Lower-cases and strips accents one character at a time, so offsets into the folded text match the original. */
function fold(text: string): string {
  // The common case, and a per-character callback is the bulk of extraction's cost: take the shortcut.
  if (PLAIN_ASCII.test(text)) return text.toLowerCase();
  return text.replace(/[^]/gu, (ch) => {
    const plain = ch.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    return plain.length === ch.length ? plain : ch.toLowerCase().length === ch.length ? ch.toLowerCase() : ch;
  });
}

function escapeRegex(word: string): string {
  return word.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
