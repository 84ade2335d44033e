import { startFakeAwsServer, type FakeAwsServer, type FakeReply, type RecordedRequest } from './fake-aws-server.js';

export const DETECT_SENTIMENT_TARGET = 'Comprehend_20171127.DetectSentiment';

/** The languages DetectSentiment accepts (API reference, DetectSentiment "LanguageCode"). */
const LANGUAGES = new Set(['en', 'es', 'fr', 'de', 'it', 'pt', 'ar', 'hi', 'ja', 'ko', 'zh', 'zh-TW']);

const MAX_TEXT_BYTES = 5_000;

/** A small English lexicon with weights in the spirit of AFINN: 3 is strong ("awful"), 1 is faint ("okay"). */
const WEIGHTS: Record<string, number> = {
  love: 3,
  wonderful: 3,
  excellent: 3,
  amazing: 3,
  superb: 3,
  great: 3,
  fantastic: 3,
  good: 2,
  like: 2,
  helpful: 2,
  thanks: 2,
  thank: 2,
  happy: 2,
  nice: 2,
  okay: 1,
  fine: 1,
  terrible: -3,
  hate: -3,
  awful: -3,
  horrible: -3,
  angry: -3,
  worst: -3,
  bad: -2,
  useless: -2,
  disappointed: -2,
  sad: -2,
  annoying: -2,
  poor: -1,
};
const NEGATIONS = new Set(['not', "don't", 'dont', 'never', 'no', "isn't", "wasn't", "didn't", 'without']);

/**
 * A loopback Comprehend answering DetectSentiment (awsJson 1.1) with a lexicon scorer, so the shared contract's
 * semantic cases pass over the wire. It validates what the service validates: language, text of 1..5,000 bytes.
 * Tests replace the route with `server.on(DETECT_SENTIMENT_TARGET, ...)` to script failures.
 */
export function startComprehendFake(): Promise<FakeAwsServer> {
  return startFakeAwsServer({ [DETECT_SENTIMENT_TARGET]: detectSentiment });
}

export function detectSentiment(request: RecordedRequest): FakeReply {
  const { Text, LanguageCode } = request.json() as { Text?: unknown; LanguageCode?: unknown };
  if (typeof Text !== 'string' || Text.length === 0) {
    return {
      status: 400,
      errorType: 'ValidationException',
      message:
        "1 validation error detected: Value at 'text' failed to satisfy constraint: Member must have length greater than or equal to 1",
    };
  }
  if (typeof LanguageCode !== 'string' || !LANGUAGES.has(LanguageCode)) {
    return {
      status: 400,
      errorType: 'UnsupportedLanguageException',
      message: `Unsupported language: ${String(LanguageCode)}`,
    };
  }
  if (Buffer.byteLength(Text, 'utf8') > MAX_TEXT_BYTES) {
    return {
      status: 400,
      errorType: 'TextSizeLimitExceededException',
      message: 'Input text size exceeds limit. Max length of request text allowed is 5000 bytes',
    };
  }
  return { json: score(Text) };
}

/** Confidences that sum to 1: the more sentiment words, the less neutral; words on both sides become mixed. */
function score(text: string): { Sentiment: string; SentimentScore: Record<string, number> } {
  let positive = 0;
  let negative = 0;
  let negatedFor = 0;
  for (const word of text.toLowerCase().match(/[a-z']+/g) ?? []) {
    if (NEGATIONS.has(word)) {
      negatedFor = 3;
      continue;
    }
    const weight = (WEIGHTS[word] ?? 0) * (negatedFor > 0 ? -1 : 1);
    negatedFor = Math.max(0, negatedFor - 1);
    if (weight > 0) positive += weight;
    else negative -= weight;
  }
  const total = positive + negative;
  const strength = 1 - Math.exp(-total / 3);
  const p = total === 0 ? 0 : (strength * positive) / total;
  const n = total === 0 ? 0 : (strength * negative) / total;
  const mixed = Math.min(p, n);
  const scores = { Positive: p - mixed / 2, Negative: n - mixed / 2, Neutral: 1 - strength, Mixed: mixed };
  const [winner] = Object.entries(scores).sort((a, b) => b[1] - a[1])[0] ?? ['Neutral'];
  return { Sentiment: winner.toUpperCase(), SentimentScore: scores };
}
