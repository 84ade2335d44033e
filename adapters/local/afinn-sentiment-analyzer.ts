import Sentiment from 'sentiment';
import { CapabilityMissingError, throwIfAborted } from '../../core/errors.js';
import type { Sentiment as SentimentReading, SentimentLabel } from '../../core/model/sentiment.js';
import type { SentimentAnalyzer } from '../../core/ports/sentiment-analyzer.js';

export interface AfinnSentimentAnalyzerOptions {
  /** Words with an AFINN weight this strong (1..5) on both sides make a sentence mixed; default 3 ("great", "terrible"). */
  strongWeight?: number;
}

/**
 * Lexicon-based sentiment (AFINN-165 through the `sentiment` package), English only. Words of weight ±1 are ignored:
 * in a voice assistant they are mostly commands and politeness ("stop", "no", "please"), not feelings.
 */
export class AfinnSentimentAnalyzer implements SentimentAnalyzer {
  private readonly engine = new Sentiment();
  private readonly strongWeight: number;

  constructor(options: AfinnSentimentAnalyzerOptions = {}) {
    this.strongWeight = options.strongWeight ?? 3;
  }

  async analyze(request: { text: string; language: string; signal?: AbortSignal }): Promise<SentimentReading> {
    throwIfAborted(request.signal);
    if (request.language.toLowerCase().split(/[-_]/)[0] !== 'en') {
      throw new CapabilityMissingError(`sentiment: AFINN only scores English, not "${request.language}"`);
    }
    const result = this.engine.analyze(request.text);
    const weights = result.calculation
      .flatMap((entry) => Object.values(entry))
      .filter((weight) => Math.abs(weight) >= 2);
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    // AFINN's comparative (weight per token) keeps long sentences from scoring high on one word; tanh bounds it to -1..1.
    const score = result.tokens.length === 0 ? 0 : round(Math.tanh(total / result.tokens.length));
    const strongBothWays = weights.some((w) => w >= this.strongWeight) && weights.some((w) => w <= -this.strongWeight);
    return { label: labelOf(score, strongBothWays), score };
  }
}

function labelOf(score: number, strongBothWays: boolean): SentimentLabel {
  if (strongBothWays) return 'mixed';
  if (score > 0) return 'positive';
  return score < 0 ? 'negative' : 'neutral';
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
