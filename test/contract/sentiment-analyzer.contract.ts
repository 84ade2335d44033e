import { beforeAll, describe, expect, it } from 'vitest';
import { AbortedError } from '../../core/errors.js';
import type { SentimentAnalyzer } from '../../core/ports/sentiment-analyzer.js';

const POSITIVE = [
  'I love this, it is wonderful!',
  'Thanks a lot, that was really helpful.',
  'Great job, this is excellent.',
];
const NEGATIVE = [
  'This is terrible, I hate it.',
  'That answer was awful and useless.',
  'I am so disappointed and angry.',
];
const NEUTRAL = ['The meeting is at noon.', 'What is the weather in Paris?', 'Play some jazz.'];
const NEGATED = ['this is not good', 'I do not like it', 'that was not helpful'];

/** The behaviour every SentimentAnalyzer adapter owes the core. */
export function describeSentimentAnalyzerContract(name: string, make: () => Promise<SentimentAnalyzer>): void {
  describe(`SentimentAnalyzer contract: ${name}`, () => {
    let analyzer: SentimentAnalyzer;
    const analyze = (text: string, signal?: AbortSignal) =>
      analyzer.analyze({ text, language: 'en', ...(signal && { signal }) });

    beforeAll(async () => {
      analyzer = await make();
    });

    it.each(POSITIVE)('reads "%s" as positive', async (text) => {
      const sentiment = await analyze(text);
      expect(sentiment.label).toBe('positive');
      expect(sentiment.score).toBeGreaterThan(0);
    });

    it.each(NEGATIVE)('reads "%s" as negative', async (text) => {
      const sentiment = await analyze(text);
      expect(sentiment.label).toBe('negative');
      expect(sentiment.score).toBeLessThan(0);
    });

    it.each(NEUTRAL)('reads "%s" as neutral', async (text) => {
      const sentiment = await analyze(text);
      expect(sentiment.label).toBe('neutral');
      expect(Math.abs(sentiment.score)).toBeLessThan(0.3);
    });

    it.each(NEGATED)('does not read the negated "%s" as positive', async (text) => {
      const sentiment = await analyze(text);
      expect(sentiment.label).not.toBe('positive');
      expect(sentiment.score).toBeLessThanOrEqual(0);
    });

    it('keeps every score within -1..1, even for extreme or empty text', async () => {
      const texts = ['awful '.repeat(50), 'wonderful amazing superb '.repeat(30), '', '!!!', 'good'];
      const scores = await Promise.all(texts.map(async (text) => (await analyze(text)).score));
      for (const score of scores) {
        expect(score).toBeGreaterThanOrEqual(-1);
        expect(score).toBeLessThanOrEqual(1);
      }
    });

    it('scores a stronger sentence further from zero than a milder one', async () => {
      const mild = await analyze('this is okay, a bit sad');
      const strong = await analyze('this is horrible, awful and terrible');
      expect(strong.score).toBeLessThan(mild.score);
    });

    it('rejects with AbortedError when the signal has already fired', async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(analyze('I love it', controller.signal)).rejects.toBeInstanceOf(AbortedError);
    });
  });
}
