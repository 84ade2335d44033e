import type { IoOptions } from '../model/io.js';
import type { Sentiment } from '../model/sentiment.js';

export interface SentimentAnalyzer {
  analyze(request: { text: string; language: string } & IoOptions): Promise<Sentiment>;
}
