// The slice of the `sentiment` 5.x package (AFINN-165) that AfinnSentimentAnalyzer uses; the package ships no types.
declare module 'sentiment' {
  export interface SentimentResult {
    /** Sum of the AFINN weights (-5..5 each) of the words found, after negation. */
    score: number;
    /** `score` divided by the number of tokens. */
    comparative: number;
    /** One `{ word: weight }` entry per scored word, negation applied. */
    calculation: Record<string, number>[];
    tokens: string[];
    words: string[];
    positive: string[];
    negative: string[];
  }

  export default class Sentiment {
    /** Throws for a language that was not registered ('en' is built in). */
    analyze(phrase: string, options?: { language?: string; extras?: Record<string, number> }): SentimentResult;
  }
}

// The package's language registry, which its analyze() reads: English's AFINN labels (emojis merged in) and scoring
// strategy (a negator before a word flips its weight).
declare module 'sentiment/lib/language-processor.js' {
  const languageProcessor: {
    getLabels(languageCode: string): Record<string, number>;
    applyScoringStrategy(languageCode: string, tokens: string[], cursor: number, tokenScore: number): number;
  };
  export default languageProcessor;
}
