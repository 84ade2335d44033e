import {
  ComprehendClient,
  DetectSentimentCommand,
  type ComprehendClientConfig,
  type LanguageCode,
  type SentimentScore,
} from '@aws-sdk/client-comprehend';
import {
  AbortedError,
  CapabilityMissingError,
  CoreError,
  DependencyUnavailableError,
  ErrorCodes,
  isCoreError,
} from '../../core/errors.js';
import type { Sentiment, SentimentLabel } from '../../core/model/sentiment.js';
import type { SentimentAnalyzer } from '../../core/ports/sentiment-analyzer.js';
import { rejectIfAborted } from '../shared/abort.js';

const ADAPTER = 'comprehend';

/** DetectSentiment rejects text over 5 KB of UTF-8 with TextSizeLimitExceededException. */
export const MAX_TEXT_BYTES = 5_000;

export type ComprehendSentimentAnalyzerOptions =
  { client: ComprehendClient; clientConfig?: never } | { client?: never; clientConfig?: ComprehendClientConfig };

/** Errors that say "not now"; anything else Comprehend models is a bug or a misconfiguration on this side. */
const UNAVAILABLE = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'InternalServerException',
  'ServiceUnavailableException',
]);

const LABELS: Record<string, SentimentLabel> = {
  POSITIVE: 'positive',
  NEGATIVE: 'negative',
  NEUTRAL: 'neutral',
  MIXED: 'mixed',
};

/** Sentiment from Amazon Comprehend's DetectSentiment, for the dozen languages it supports. */
export class ComprehendSentimentAnalyzer implements SentimentAnalyzer {
  private readonly client: ComprehendClient;

  constructor(options: ComprehendSentimentAnalyzerOptions = {}) {
    this.client = options.client ?? new ComprehendClient(options.clientConfig ?? {});
  }

  async analyze(request: { text: string; language: string; signal?: AbortSignal }): Promise<Sentiment> {
    rejectIfAborted(ADAPTER, request.signal);
    const languageCode = comprehendLanguageOf(request.language);
    if (!languageCode) {
      throw new CapabilityMissingError(
        `${ADAPTER}: DetectSentiment does not support the language "${request.language}"`,
      );
    }
    // Comprehend requires at least one character; nothing said carries no sentiment, so no call is made.
    if (request.text.trim() === '') return { label: 'neutral', score: 0 };
    try {
      const output = await this.client.send(
        new DetectSentimentCommand({ Text: truncateUtf8(request.text, MAX_TEXT_BYTES), LanguageCode: languageCode }),
        { ...(request.signal && { abortSignal: request.signal }) },
      );
      const label = LABELS[output.Sentiment ?? ''];
      if (!label)
        throw new DependencyUnavailableError(
          ADAPTER,
          `unexpected Sentiment "${String(output.Sentiment)}" in the answer`,
        );
      return { label, score: scoreOf(output.SentimentScore) };
    } catch (error) {
      throw translate(error, request.signal);
    }
  }
}

/**
 * Maps a BCP 47 tag to DetectSentiment's LanguageCode: the primary subtag (`en-US` -> `en`), except that traditional
 * Chinese (`zh-TW`, `zh-HK`, `zh-MO`, `zh-Hant*`) has its own code. Returns undefined for languages it lacks.
 */
export function comprehendLanguageOf(tag: string): LanguageCode | undefined {
  const [primary = '', ...rest] = tag.trim().toLowerCase().split(/[-_]/);
  if (primary === 'zh') return rest.some((subtag) => ['tw', 'hk', 'mo', 'hant'].includes(subtag)) ? 'zh-TW' : 'zh';
  return (['en', 'es', 'fr', 'de', 'it', 'pt', 'ar', 'hi', 'ja', 'ko'] as const).find((code) => code === primary);
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  // encodeInto stops before a character that would not fit whole, so `read` always lands on a code point boundary.
  const { read } = new TextEncoder().encodeInto(text, new Uint8Array(maxBytes));
  return text.slice(0, read);
}

/** Positive minus negative confidence: the four confidences sum to 1, so this stays within -1..1. */
function scoreOf(score: SentimentScore | undefined): number {
  const value = (score?.Positive ?? 0) - (score?.Negative ?? 0);
  return Math.round(Math.min(1, Math.max(-1, value)) * 1000) / 1000;
}

function translate(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return new AbortedError(`${ADAPTER}: request aborted by caller`, { cause: signal.reason });
  if (isCoreError(error)) return error;
  const {
    name = 'Error',
    $fault,
    $metadata,
    code,
  } = (error ?? {}) as {
    name?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
    code?: string;
  };
  if (UNAVAILABLE.has(name) || $fault === 'server')
    return new DependencyUnavailableError(ADAPTER, `${name} from DetectSentiment`, { cause: error });
  if (name === 'UnsupportedLanguageException') {
    return new CapabilityMissingError(`${ADAPTER}: DetectSentiment refused the language`, { cause: error });
  }
  if ($fault === 'client') {
    // The service message may quote the analysed text or an ARN; it stays in `cause`.
    return new CoreError(ErrorCodes.INTERNAL, `${ADAPTER}: DetectSentiment rejected the request (${name})`, {
      cause: error,
      details: { errorType: name, httpStatusCode: $metadata?.httpStatusCode },
    });
  }
  return new DependencyUnavailableError(ADAPTER, `cannot reach Comprehend (${code ?? name})`, { cause: error });
}
