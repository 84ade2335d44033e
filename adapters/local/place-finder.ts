import { foldName, type CityGazetteer } from './city-gazetteer.js';
import { PLAIN_ASCII } from './entity-tokens.js';

export interface PlaceMatch {
  /** The place as said, capitalised, with its state or country when one was given ("Portland, Oregon"). */
  value: string;
  raw: string;
  start: number;
  end: number;
}

interface Word {
  text: string;
  folded: string;
  start: number;
  end: number;
  gapBefore: string;
  /** Starts with an upper-case letter. */
  capital: boolean;
  /** Only white space before it. */
  spaced: boolean;
  /** Can be a later word of a name: only white space or hyphens before it, and not a word that ends a place. */
  continues: boolean;
}

const PREPOSITIONS = new Set(['in', 'for', 'at', 'to', 'near', 'around', 'from']);
const WEATHER_NOUNS = new Set(['weather', 'forecast', 'temperature', 'temp', 'wether', 'wheather', 'time']);
/**
 * Everyday words that are also the name of some town of 1,000 people ("Of", "Nice", "Mobile", "Reading", "Bath"):
 * read as a place only when capitalised after a preposition or qualified ("Mobile, Alabama").
 */
const COMMON_WORDS = new Set(
  (
    'of over nice mobile reading bath split hope man bar best more march may china hot cold warm rain sun sunny snow wind ' +
    'fog is be can will say see go come bay why how what when who where which here there this that it its they them ' +
    'you me my we our us a an the and or but so not no yes ok okay please today tonight tomorrow now later soon week ' +
    'weekend morning evening night day days time hours minutes music song songs play some any something nothing ' +
    'out outside inside home work school town city center centre beach lake mountain river park church university ' +
    'long short big little good bad fine great friendly opportunity paradise liberty independence union unity ' +
    'commerce industry enterprise victoria florence eagle dew humble normal plain joy angel ' +
    'like need take bring wear pack going gonna will should could would next this last few right just hi hello ' +
    'degrees celsius fahrenheit umbrella coat jacket sunscreen shorts gloves heat wave storm thunder drizzle humid'
  ).split(' '),
);
const NOT_PLACE = new Set(
  (
    'a an the this that these those next coming today tonight tomorrow now right here there please me us it my our your ' +
    "and or but at on with then later i said um uh well yes no ok okay is be it's its weather forecast outside out " +
    'some any rain snow sun wind temperature temp time what how'
  ).split(' '),
);

/**
 * Finds the place a request names, looking every span of up to four words up in the gazetteer. A span counts when the
 * context says it is a place: after a preposition ("in buenos aires"), next to a weather word ("Krakow weather"), or
 * capitalised mid-sentence. Everyday words that are also town names count only when capitalised after a preposition.
 */
export class PlaceFinder {
  constructor(private readonly gazetteer: CityGazetteer) {}

  find(text: string): PlaceMatch | undefined {
    const words = tokenize(text);
    let shouted: boolean | undefined;
    let best: { score: number; match: PlaceMatch } | undefined;
    for (let i = 0; i < words.length; i += 1) {
      const first = words[i] as Word;
      if (NOT_PLACE.has(first.folded) || /^\d/.test(first.folded)) continue;
      // The spans longer than the run of words that can continue a name are no names: start below them.
      let reach = 1;
      while (reach < this.gazetteer.maxWords && words[i + reach]?.continues) reach += 1;
      for (let n = Math.min(reach, this.gazetteer.maxWords); n >= 1; n -= 1) {
        const name = foldedSpan(words, i, n);
        if (!this.gazetteer.hasPlace(name)) continue;
        const last = words[i + n - 1] as Word;
        const before = words[i - 1];
        const after = words[i + n];
        const prepositional = before !== undefined && PREPOSITIONS.has(before.folded);
        const capitalised = i > 0 && allCapital(words, i, n) && !(shouted ??= isShouted(text));
        const besideWeather =
          (before !== undefined && WEATHER_NOUNS.has(before.folded)) ||
          (after !== undefined && WEATHER_NOUNS.has(after.folded) && after.spaced);
        const qualifier = this.qualifierAfter(text, words, i + n);
        const common = n === 1 && COMMON_WORDS.has(name);
        const longerName = after !== undefined && after.spaced && after.capital;
        if (common && longerName && !qualifier) continue;
        if (common && !(qualifier || (prepositional && (capitalised || first.capital)))) continue;
        if (!prepositional && !capitalised && !besideWeather && !qualifier) continue;
        const end = qualifier ? qualifier.end : last.end;
        const raw = text.slice(first.start, end);
        const spoken = text.slice(first.start, last.end);
        const value = qualifier ? `${titleCase(spoken)}, ${titleCase(qualifier.raw)}` : titleCase(spoken);
        const score =
          (qualifier ? 4 : 0) + (prepositional ? 4 : 0) + (besideWeather ? 3 : 0) + (capitalised ? 2 : 0) + n;
        if (!best || score > best.score) best = { score, match: { value, raw, start: first.start, end } };
        break;
      }
    }
    return best?.match;
  }

  /** A state or country right after a place ("Portland, Oregon", "phoenix arizona"), up to two words. */
  private qualifierAfter(text: string, words: readonly Word[], at: number): { raw: string; end: number } | undefined {
    for (let n = 2; n >= 1; n -= 1) {
      const firstWord = words[at];
      const lastWord = words[at + n - 1];
      if (!firstWord || !lastWord || !/^[\s,]+$/.test(firstWord.gapBefore)) continue;
      if (n === 2 && !lastWord.spaced) continue;
      const phrase = foldedSpan(words, at, n);
      // A two-letter state code counts only as written ("OR"): "in", "me", "ok" are words first.
      if (phrase.length === 2 && firstWord.text !== phrase.toUpperCase()) continue;
      if (this.gazetteer.isQualifier(phrase))
        return { raw: text.slice(firstWord.start, lastWord.end), end: lastWord.end };
    }
    return undefined;
  }
}

function tokenize(text: string): Word[] {
  // Printable ASCII, the common case, is scanned by hand: the same words without the Unicode pattern and foldName.
  if (PLAIN_ASCII.test(text)) return tokenizeAscii(text);
  const words: Word[] = [];
  let previousEnd = 0;
  for (const m of text.matchAll(/[\p{L}\p{N}]+(?:['’.][\p{L}]+)*/gu)) {
    words.push(word(text, m.index, m.index + m[0].length, previousEnd, foldName(m[0]).replace(/ /g, '')));
    previousEnd = m.index + m[0].length;
  }
  return words;
}

/**
 * The words of printable ASCII text, where a letter is A-Z or a-z and a digit 0-9 (what \p{L} and \p{N} match there):
 * a run of letters and digits, then any number of ' or . followed by letters. A word folds to itself lower-cased
 * without its ' and . (foldName makes them spaces, which the Unicode path then drops).
 */
function tokenizeAscii(text: string): Word[] {
  const words: Word[] = [];
  let previousEnd = 0;
  let i = 0;
  while (i < text.length) {
    if (!isLetterOrDigit(text.charCodeAt(i))) {
      i += 1;
      continue;
    }
    const start = i;
    let joined = false;
    while (isLetterOrDigit(text.charCodeAt(i))) i += 1;
    while (isJoiner(text.charCodeAt(i)) && isLetter(text.charCodeAt(i + 1))) {
      joined = true;
      i += 1;
      while (isLetter(text.charCodeAt(i))) i += 1;
    }
    const lower = text.slice(start, i).toLowerCase();
    words.push(word(text, start, i, previousEnd, joined ? lower.replace(/['.]/g, '') : lower));
    previousEnd = i;
  }
  return words;
}

function word(text: string, start: number, end: number, previousEnd: number, folded: string): Word {
  const gapBefore = text.slice(previousEnd, start);
  // One space is the common gap, and both gap patterns accept it.
  const spaced = gapBefore === ' ' || /^\s+$/.test(gapBefore);
  return {
    text: text.slice(start, end),
    folded,
    start,
    end,
    gapBefore,
    capital: startsCapital(text, start),
    spaced,
    continues: (spaced || /^[\s-]+$/.test(gapBefore)) && !NOT_PLACE.has(folded),
  };
}

function isLetter(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a);
}

function isLetterOrDigit(code: number): boolean {
  return isLetter(code) || (code >= 0x30 && code <= 0x39);
}

/** ' or . : what joins the letters of "o'fallon" or "st.louis" into one word. */
function isJoiner(code: number): boolean {
  return code === 0x27 || code === 0x2e;
}

/** /^\p{Lu}/u.test(text.slice(at)), with an ASCII first letter checked without the regex (its upper case is A-Z). */
function startsCapital(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  return code < 0x80 ? code >= 0x41 && code <= 0x5a : /^\p{Lu}/u.test(text.slice(at, at + 2));
}

/** The span's folded words joined by spaces, the name it is looked up by. */
function foldedSpan(words: readonly Word[], i: number, n: number): string {
  let name = (words[i] as Word).folded;
  for (let k = i + 1; k < i + n; k += 1) name = `${name} ${(words[k] as Word).folded}`;
  return name;
}

function allCapital(words: readonly Word[], i: number, n: number): boolean {
  for (let k = i; k < i + n; k += 1) if (!(words[k] as Word).capital) return false;
  return true;
}

function isShouted(text: string): boolean {
  if (PLAIN_ASCII.test(text)) return isShoutedAscii(text);
  const letters = text.replace(/[^\p{L}]/gu, '');
  return letters.length > 3 && letters === letters.toUpperCase();
}

/** isShouted for printable ASCII, whose letters are A-Z and a-z: more than three letters and none lower case. */
function isShoutedAscii(text: string): boolean {
  let letters = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0x61 && code <= 0x7a) return false;
    if (code >= 0x41 && code <= 0x5a) letters += 1;
  }
  return letters > 3;
}

function titleCase(text: string): string {
  if (PLAIN_ASCII.test(text)) return titleCaseAscii(text);
  return text.replace(/(^|[\s-])(\p{L})/gu, (_m, gap: string, letter: string) => gap + letter.toUpperCase());
}

/**
 * titleCase for printable ASCII, where the only white space is the space and the lower-case letters are a-z: each a-z
 * at the start or after a space or hyphen upper-cased, by one scan instead of a replacement with a callback per word.
 */
function titleCaseAscii(text: string): string {
  let cased = '';
  let from = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const previous = i === 0 ? SPACE : text.charCodeAt(i - 1);
    if (code >= 0x61 && code <= 0x7a && (previous === SPACE || previous === HYPHEN)) {
      cased += text.slice(from, i) + String.fromCharCode(code - 0x20);
      from = i + 1;
    }
  }
  return from === 0 ? text : cased + text.slice(from);
}

const SPACE = 0x20;
const HYPHEN = 0x2d;
