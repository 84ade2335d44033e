export type SentimentLabel = 'positive' | 'negative' | 'neutral' | 'mixed';

export interface Sentiment {
  label: SentimentLabel;
  /** -1 (very negative) .. 1 (very positive). */
  score: number;
}
