import Sentiment from 'sentiment';
import languageProcessor from 'sentiment/lib/language-processor.js';
import { CapabilityMissingError, throwIfAborted } from '../../core/errors.js';
import type { Sentiment as SentimentReading, SentimentLabel } from '../../core/model/sentiment.js';
import type { SentimentAnalyzer } from '../../core/ports/sentiment-analyzer.js';
import { primaryLanguage } from '../shared/language-tag.js';

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
    if (primaryLanguage(request.language) !== 'en') {
      throw new CapabilityMissingError(`sentiment: AFINN only scores English, not "${request.language}"`);
    }
    const { weights, tokens } = PRINTABLE_ASCII.test(request.text)
      ? scoreAscii(request.text)
      : scoreWithEngine(this.engine, request.text);
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    // AFINN's comparative (weight per token) keeps long sentences from scoring high on one word; tanh bounds it to -1..1.
    const score = tokens === 0 ? 0 : round(Math.tanh(total / tokens));
    const strongBothWays = weights.some((w) => w >= this.strongWeight) && weights.some((w) => w <= -this.strongWeight);
    return { label: labelOf(score, strongBothWays), score };
  }
}

/** The weights that count (|weight| >= 2) of the words AFINN scored, and how many tokens the text had. */
interface Scored {
  weights: number[];
  tokens: number;
}

function scoreWithEngine(engine: Sentiment, text: string): Scored {
  const result = engine.analyze(text);
  return {
    weights: result.calculation.flatMap((entry) => Object.values(entry)).filter((weight) => Math.abs(weight) >= 2),
    tokens: result.tokens.length,
  };
}

/** Printable ASCII only: its only white space is the plain space, and lower-casing it is ASCII's own. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** The characters the package's tokenizer turns into spaces: `.,/#!?$%^&*;:{}=_\`"~()`. */
const PUNCTUATION = new Set([...'.,/#!?$%^&*;:{}=_`"~()'].map((c) => c.charCodeAt(0)));
const SPACE = 0x20;
const ENGLISH = languageProcessor.getLabels('en');

/**
 * What `scoreWithEngine` gives for printable ASCII, without the package's tokenizer: four regular-expression passes
 * over the text (lower case, newlines, punctuation to spaces, runs of white space collapsed), a trim and a split,
 * then a result with five arrays and an object per scored word. Here one pass cuts the lower-cased text at spaces
 * and punctuation; the tokens are the same (`''` alone when there is none, as the split gives), each is looked up
 * in the same labels and scored by the package's own strategy, from the last token back as the package does.
 * A test compares both on the NLU evaluation utterances and on random printable text.
 */
export function scoreAscii(text: string): Scored {
  const lower = text.toLowerCase();
  const tokens: string[] = [];
  let start = -1;
  for (let i = 0; i <= lower.length; i += 1) {
    const code = i < lower.length ? lower.charCodeAt(i) : SPACE;
    const separator = code === SPACE || PUNCTUATION.has(code);
    if (!separator && start < 0) start = i;
    else if (separator && start >= 0) {
      tokens.push(lower.slice(start, i));
      start = -1;
    }
  }
  if (tokens.length === 0) tokens.push('');
  const weights: number[] = [];
  for (let i = tokens.length - 1; i >= 0; i -= 1) {
    const token = tokens[i]!;
    if (!Object.prototype.hasOwnProperty.call(ENGLISH, token)) continue;
    const weight = languageProcessor.applyScoringStrategy('en', tokens, i, ENGLISH[token]!);
    if (Math.abs(weight) >= 2) weights.push(weight);
  }
  return { weights, tokens: tokens.length };
}

function labelOf(score: number, strongBothWays: boolean): SentimentLabel {
  if (strongBothWays) return 'mixed';
  if (score > 0) return 'positive';
  return score < 0 ? 'negative' : 'neutral';
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
