import { describe, expect, it } from 'vitest';
import { AfinnSentimentAnalyzer } from '../../../adapters/local/afinn-sentiment-analyzer.js';
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
