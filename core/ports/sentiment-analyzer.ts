import type { Sentiment } from '../model/sentiment.js';

export interface SentimentAnalyzer {
  analyze(request: { text: string; language: string; signal?: AbortSignal }): Promise<Sentiment>;
}
