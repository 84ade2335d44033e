import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import Sentiment from 'sentiment';
import { describe, expect, it } from 'vitest';
import { AfinnSentimentAnalyzer, scoreAscii } from '../../../adapters/local/afinn-sentiment-analyzer.js';
import { CapabilityMissingError } from '../../../core/errors.js';
import { describeSentimentAnalyzerContract } from '../../contract/sentiment-analyzer.contract.js';

describeSentimentAnalyzerContract('AfinnSentimentAnalyzer', async () => new AfinnSentimentAnalyzer());

describe('AfinnSentimentAnalyzer', () => {
  const analyzer = new AfinnSentimentAnalyzer();
  const analyze = (text: string) => analyzer.analyze({ text, language: 'en' });

  it('labels a sentence with strong words on both sides as mixed', async () => {
    await expect(analyze('The food was great but the service was terrible')).resolves.toMatchObject({ label: 'mixed' });
    await expect(analyze('I love the music but hate the volume')).resolves.toMatchObject({ label: 'mixed' });
  });

  it('does not call a sentence mixed for a weak word against a strong one', async () => {
    await expect(analyze('I love it, a bit sad it ended')).resolves.toMatchObject({ label: 'positive' });
  });

  it('ignores weak words, which in spoken commands are seldom feelings', async () => {
    await expect(analyze('stop the music')).resolves.toEqual({ label: 'neutral', score: 0 });
    await expect(analyze('no')).resolves.toEqual({ label: 'neutral', score: 0 });
    await expect(analyze('yes please')).resolves.toEqual({ label: 'neutral', score: 0 });
  });

  it('turns a negated negative into a positive', async () => {
    await expect(analyze('not bad at all')).resolves.toMatchObject({ label: 'positive' });
  });

  it('honours a custom strength for mixed', async () => {
    const lenient = new AfinnSentimentAnalyzer({ strongWeight: 2 });
    await expect(lenient.analyze({ text: 'I love it, a bit sad it ended', language: 'en' })).resolves.toMatchObject({
      label: 'mixed',
    });
  });

  it('accepts English regional tags and refuses other languages as a missing capability', async () => {
    await expect(analyzer.analyze({ text: 'great', language: 'en-GB' })).resolves.toMatchObject({ label: 'positive' });
    await expect(analyzer.analyze({ text: 'formidable', language: 'fr' })).rejects.toBeInstanceOf(
      CapabilityMissingError,
    );
  });
});

describe('AfinnSentimentAnalyzer on printable ASCII (its own tokenizer)', () => {
  const engine = new Sentiment();
  /** What the package's analyze() gives: the weights that count and the number of tokens. */
  const byPackage = (text: string) => {
    const result = engine.analyze(text);
    return {
      weights: result.calculation.flatMap((entry) => Object.values(entry)).filter((w) => Math.abs(w) >= 2),
      tokens: result.tokens.length,
    };
  };
  const utterances = ['held-out.txt', 'tuning.txt'].flatMap((file) =>
    readFileSync(new URL(`../../nlu-eval/${file}`, import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'))
      .map((line) => line.split('|')[1]!.trim()),
  );

  it('scores as the package does every utterance of the NLU evaluation and edge cases', () => {
    const edges = [
      '',
      ' ',
      '?',
      '...',
      ' not  bad ',
      "isn't good",
      'GREAT!!! (not) terrible',
      'a__b',
      'x=y{z}',
      "don't  hate",
    ];
    expect(utterances.length).toBeGreaterThan(300);
    for (const text of [...utterances, ...edges]) expect(scoreAscii(text), text).toEqual(byPackage(text));
  });

  it('scores as the package does any printable ASCII made of AFINN words, negators, punctuation and spaces', () => {
    const pieces = [
      'good',
      'bad',
      'not',
      "don't",
      'hate',
      'LOVE',
      'terrible',
      'great',
      'no',
      'the',
      'x',
      '1',
      ' ',
      '  ',
    ];
    const text = fc
      .array(fc.oneof(fc.constantFrom(...pieces, ...'.,/#!?$%^&*;:{}=_`"~()\'-+<>[]|@'), fc.string()), {
        maxLength: 12,
      })
      .map((parts) => parts.join(''))
      .filter((t) => /^[\x20-\x7e]*$/.test(t));
    fc.assert(
      fc.property(text, (t) => {
        expect(scoreAscii(t)).toEqual(byPackage(t));
      }),
      { numRuns: 3000 },
    );
  });
});
