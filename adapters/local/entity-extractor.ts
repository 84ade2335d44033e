import type { EntityType } from '../../core/model/understanding.js';
import { adjacent, fold, PLAIN_ASCII, tokenize, type EntityMatch, type Token } from './entity-tokens.js';
import { durationPart, isUnit, numbers } from './spoken-numbers.js';

export type { EntityMatch } from './entity-tokens.js';

export interface ExtractOptions {
  /** The entity the assistant just asked for: it wins ambiguous spans, and for a city any capitalised name counts. */
  expecting?: EntityType;
  /** Reads the words after "in"/"for" as a place. Only for intents that take a city: elsewhere "in 20 minutes" is no place. */
  placeAfterPreposition?: boolean;
}

type DictionaryType = 'city' | 'genre' | 'artist' | 'title';
const DICTIONARY_TYPES: readonly DictionaryType[] = ['city', 'genre', 'artist', 'title'];
/** Entities a dictionary hit or a number may not overlap; a place read from the words may overlap only the first two. */
const QUANTITIES: readonly EntityType[] = ['duration', 'number'];
const QUANTITIES_AND_NAMES: readonly EntityType[] = [...QUANTITIES, ...DICTIONARY_TYPES];

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
    const runs = PLAIN_ASCII.test(folded) ? asciiRuns(folded) : Array.from(folded.matchAll(RUN), (m) => m[0]);
    for (const run of runs) {
      const entries = this.byRun.get(run);
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
    // Every duration ends in a unit: most texts have none, and need no search for a quantity at each token.
    if (!tokens.some(isUnit)) return found;
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

function escapeRegex(word: string): string {
  return word.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** A maximal run of letters and digits: what the dictionary patterns' lookarounds delimit. */
const RUN = /[\p{L}\p{N}]+/gu;
/**
 * The same runs in printable ASCII, where the letters and digits are A-Z, a-z and 0-9: found by one scan, without the
 * match object a regex iterator makes for each.
 */
function asciiRuns(text: string): string[] {
  const runs: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i += 1) {
    const code = i < text.length ? text.charCodeAt(i) : 0;
    const inRun = (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a);
    if (inRun && start < 0) start = i;
    else if (!inRun && start >= 0) {
      runs.push(text.slice(start, i));
      start = -1;
    }
  }
  return runs;
}
