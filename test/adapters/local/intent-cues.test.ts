import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CUES, cuedIntent, normalise, possibleCues } from '../../../adapters/local/intent-cues.js';
import { PARTS, readPart } from '../../nlu-eval/evaluate.js';

/** What cuedIntent is defined as: the first cue in order whose pattern matches the normalised text. */
const everyPatternInOrder = (text: string) => CUES.find((cue) => cue.pattern.test(normalise(text)))?.intent;

/** Normalisation with the Unicode property classes alone, as before its fast paths. */
const unicodeNormalise = (text: string) =>
  text
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/[^\p{L}\p{N}'&-]+/gu, ' ')
    .trim();

/**
 * A pattern fast-check can generate from (it knows neither \b nor lookaheads): each \b an optional space, lookaheads
 * dropped. It matches more than the pattern; generated strings are kept only where the pattern itself matches.
 */
function generable(pattern: RegExp): RegExp {
  let source = pattern.source.replaceAll('\\b', '(?: )?');
  for (let at = source.indexOf('(?!'); at >= 0; at = source.indexOf('(?!')) {
    let end = at;
    for (let depth = 0; end < source.length; end += 1) {
      if (source[end] === '\\') end += 1;
      else if (source[end] === '(') depth += 1;
      else if (source[end] === ')' && (depth -= 1) === 0) break;
    }
    source = source.slice(0, at) + source.slice(end + 1);
  }
  return new RegExp(source);
}

const MIXED = [...'aZ0 9 -&\'`’‘"?!,._\t\n/éÄßİ²ñ'.split(''), ' the ', 'What', 'Time', 'é', 'e\u0301', 'Ⅻ', '\u00a0'];

describe('cuedIntent: prefilter', () => {
  const filtered = CUES.flatMap((cue, index) =>
    (cue.words ?? cue.fragments ?? cue.digits) ? [[cue.intent, index] as const] : [],
  );
  it.each(filtered)('never skips %s (cue %i) on a text its pattern matches', (_intent, index) => {
    const cue = CUES[index] as (typeof CUES)[number];
    const matching = fc.stringMatching(generable(cue.pattern)).filter((text) => cue.pattern.test(text));
    fc.assert(
      fc.property(matching, (text) => {
        expect(possibleCues(text) & (1 << index), text).not.toBe(0);
      }),
      { numRuns: 3000 },
    );
  });

  it('gives what trying every pattern in order gives, on the evaluation set and variants of it', async () => {
    const texts = (await Promise.all(PARTS.map((part) => readPart(part)))).flat().map((c) => c.text);
    for (const text of texts.flatMap((t) => [t, t.toUpperCase(), `${t}?`, t.replace(/'/g, '’'), `“${t}”`]))
      expect(cuedIntent(text), text).toBe(everyPatternInOrder(text));
  });

  it('gives what trying every pattern in order gives, on texts made of the cues’ words', () => {
    const vocabulary = [
      ...new Set(CUES.flatMap((cue) => [...(cue.words ?? []), ...(cue.fragments ?? [])])),
      ...'it is the a what you me some 12 3 x in paris weather rain raining sunny jazz thermometers findings'.split(
        ' ',
      ),
    ];
    const separator = fc.constantFrom(' ', ' ', ' ', "'", "'s ", ', ', '-', '? ', '  ');
    const text = fc
      .array(fc.tuple(fc.constantFrom(...vocabulary), separator), { minLength: 1, maxLength: 7 })
      .map((parts) => parts.flat().join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(cuedIntent(t), t).toBe(everyPatternInOrder(t));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('cuedIntent: normalisation', () => {
  it('gives what the Unicode replacements give, for every printable ASCII character in any position', () => {
    for (let code = 0x20; code <= 0x7e; code += 1) {
      const ch = String.fromCharCode(code);
      for (const text of [ch, `a${ch}b`, ` ${ch} `, `what${ch}${ch}time`, `${ch}x`, `x${ch}`])
        expect(normalise(text), JSON.stringify(text)).toBe(unicodeNormalise(text));
    }
  });

  it('gives what the Unicode replacements give, on mixed ASCII and other text', () => {
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom(...MIXED), maxLength: 30 }),
      fc.string({ unit: 'binary', maxLength: 30 }),
    );
    fc.assert(
      fc.property(text, (t) => {
        expect(normalise(t), JSON.stringify(t)).toBe(unicodeNormalise(t));
      }),
      { numRuns: 20_000 },
    );
  });

  it('keeps text that is already normal as it is, and makes text normal in one step', () => {
    expect(normalise("what's the weather in paris")).toBe("what's the weather in paris");
    expect(normalise('  Is it  SNOWING in Zürich?! ')).toBe('is it snowing in zürich');
    expect(normalise('rock & roll `n’ stuff')).toBe("rock & roll 'n' stuff");
    expect(normalise('?!')).toBe('');
  });
});
