import { foldName, type CityGazetteer } from './city-gazetteer.js';

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
    let best: { score: number; match: PlaceMatch } | undefined;
    for (let i = 0; i < words.length; i += 1) {
      const first = words[i] as Word;
      if (NOT_PLACE.has(first.folded) || /^\d/.test(first.folded)) continue;
      for (let n = Math.min(this.gazetteer.maxWords, words.length - i); n >= 1; n -= 1) {
        const span = words.slice(i, i + n);
        if (span.slice(1).some((w) => !/^[\s-]+$/.test(w.gapBefore) || NOT_PLACE.has(w.folded))) continue;
        const name = span.map((w) => w.folded).join(' ');
        if (this.gazetteer.candidates(name).length === 0) continue;
        const last = span[n - 1] as Word;
        const before = words[i - 1];
        const after = words[i + n];
        const prepositional = before !== undefined && PREPOSITIONS.has(before.folded);
        const capitalised = i > 0 && span.every((w) => /^\p{Lu}/u.test(w.text)) && !isShouted(text);
        const besideWeather =
          (before !== undefined && WEATHER_NOUNS.has(before.folded)) ||
          (after !== undefined && WEATHER_NOUNS.has(after.folded) && /^\s+$/.test(after.gapBefore));
        const qualifier = this.qualifierAfter(text, words, i + n);
        const common = n === 1 && COMMON_WORDS.has(name);
        const longerName = after !== undefined && /^\s+$/.test(after.gapBefore) && /^\p{Lu}/u.test(after.text);
        if (common && longerName && !qualifier) continue;
        if (common && !(qualifier || (prepositional && (capitalised || /^\p{Lu}/u.test(first.text))))) continue;
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
      const span = words.slice(at, at + n);
      if (span.length < n || !/^[\s,]+$/.test(span[0]?.gapBefore ?? '')) continue;
      if (span.slice(1).some((w) => !/^\s+$/.test(w.gapBefore))) continue;
      const phrase = span.map((w) => w.folded).join(' ');
      // A two-letter state code counts only as written ("OR"): "in", "me", "ok" are words first.
      if (phrase.length === 2 && span[0]?.text !== phrase.toUpperCase()) continue;
      if (this.gazetteer.isQualifier(phrase)) {
        const firstWord = span[0] as Word;
        const lastWord = span[n - 1] as Word;
        return { raw: text.slice(firstWord.start, lastWord.end), end: lastWord.end };
      }
    }
    return undefined;
  }
}

function tokenize(text: string): Word[] {
  const words: Word[] = [];
  let previousEnd = 0;
  for (const m of text.matchAll(/[\p{L}\p{N}]+(?:['’.][\p{L}]+)*/gu)) {
    words.push({
      text: m[0],
      folded: foldName(m[0]).replace(/ /g, ''),
      start: m.index,
      end: m.index + m[0].length,
      gapBefore: text.slice(previousEnd, m.index),
    });
    previousEnd = m.index + m[0].length;
  }
  return words;
}

function isShouted(text: string): boolean {
  const letters = text.replace(/[^\p{L}]/gu, '');
  return letters.length > 3 && letters === letters.toUpperCase();
}

function titleCase(text: string): string {
  return text.replace(/(^|[\s-])(\p{L})/gu, (_m, gap: string, letter: string) => gap + letter.toUpperCase());
}
