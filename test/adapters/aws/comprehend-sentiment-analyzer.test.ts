import { ComprehendClient } from '@aws-sdk/client-comprehend';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ComprehendSentimentAnalyzer,
  MAX_TEXT_BYTES,
  comprehendLanguageOf,
  truncateUtf8,
} from '../../../adapters/aws/comprehend-sentiment-analyzer.js';
import { AbortedError, CapabilityMissingError, CoreError, DependencyUnavailableError } from '../../../core/errors.js';
import { describeSentimentAnalyzerContract } from '../../contract/sentiment-analyzer.contract.js';
import { DETECT_SENTIMENT_TARGET, startComprehendFake } from '../../fakes/aws/comprehend-fake.js';
import { TEST_AWS_CLIENT_CONFIG, type FakeAwsServer } from '../../fakes/aws/fake-aws-server.js';
import { skipWhen } from '../../support/skip-reason.js';

describe('over a loopback Comprehend (awsJson 1.1)', () => {
  let server: FakeAwsServer | undefined;
  let client: ComprehendClient | undefined;
  afterAll(async () => {
    client?.destroy();
    await server?.close();
  });

  describeSentimentAnalyzerContract('ComprehendSentimentAnalyzer against a loopback Comprehend', async () => {
    server = await startComprehendFake();
    client = new ComprehendClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: server.url });
    return new ComprehendSentimentAnalyzer({ client });
  });
});

const IT_AWS = process.env.IT_AWS;
describe(
  'against Amazon Comprehend (IT_AWS)',
  skipWhen(!IT_AWS, 'set IT_AWS=1 with AWS credentials and a region to run it'),
  () => {
    describeSentimentAnalyzerContract(
      'ComprehendSentimentAnalyzer against Amazon Comprehend',
      async () => new ComprehendSentimentAnalyzer({ clientConfig: { region: process.env.AWS_REGION ?? 'us-east-1' } }),
    );
  },
);

async function rejection(promise: Promise<unknown>): Promise<CoreError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof CoreError)) throw new Error(`expected a CoreError, got ${String(error)}`);
  return error;
}

describe('ComprehendSentimentAnalyzer over the wire', () => {
  let server: FakeAwsServer;
  let client: ComprehendClient;
  let analyzer: ComprehendSentimentAnalyzer;
  const sentTexts = () =>
    server.requests
      .filter((r) => r.target === DETECT_SENTIMENT_TARGET)
      .map((r) => r.json() as { Text: string; LanguageCode: string });

  beforeEach(async () => {
    server = await startComprehendFake();
    client = new ComprehendClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: server.url });
    analyzer = new ComprehendSentimentAnalyzer({ client });
  });

  afterEach(async () => {
    client.destroy();
    await server.close();
  });

  it('sends the text with the language code derived from the BCP 47 tag', async () => {
    await analyzer.analyze({ text: 'I love this', language: 'en-US' });
    await analyzer.analyze({ text: '我喜欢', language: 'zh-Hant-TW' });
    await analyzer.analyze({ text: 'me encanta', language: 'es_MX' });

    expect(sentTexts()).toEqual([
      { Text: 'I love this', LanguageCode: 'en' },
      { Text: '我喜欢', LanguageCode: 'zh-TW' },
      { Text: 'me encanta', LanguageCode: 'es' },
    ]);
  });

  it('maps the four labels and scores Positive minus Negative', async () => {
    const replies = [
      ['POSITIVE', { Positive: 0.9, Negative: 0.02, Neutral: 0.07, Mixed: 0.01 }, 'positive', 0.88],
      ['NEGATIVE', { Positive: 0.05, Negative: 0.8, Neutral: 0.1, Mixed: 0.05 }, 'negative', -0.75],
      ['NEUTRAL', { Positive: 0.1, Negative: 0.1, Neutral: 0.79, Mixed: 0.01 }, 'neutral', 0],
      ['MIXED', { Positive: 0.3, Negative: 0.2, Neutral: 0.1, Mixed: 0.4 }, 'mixed', 0.1],
    ] as const;
    const results = [];
    for (const [Sentiment, SentimentScore] of replies) {
      server.on(DETECT_SENTIMENT_TARGET, () => ({ json: { Sentiment, SentimentScore } }));
      results.push(await analyzer.analyze({ text: 'whatever', language: 'en' }));
    }

    expect(results).toEqual(replies.map(([, , label, score]) => ({ label, score })));
  });

  it('cuts text at 5,000 bytes of UTF-8 without splitting a character, and the service accepts it', async () => {
    // 3-byte and 4-byte characters, so the limit falls inside a character unless the cut respects boundaries.
    const text = `${'a'.repeat(4_998)}€😀 and much more after it`;

    await expect(analyzer.analyze({ text, language: 'en' })).resolves.toMatchObject({ label: 'neutral' });

    const sent = sentTexts()[0]?.Text ?? '';
    expect(sent).toBe('a'.repeat(4_998));
    expect(Buffer.byteLength(sent, 'utf8')).toBeLessThanOrEqual(MAX_TEXT_BYTES);
  });

  it('keeps whole multibyte characters up to exactly the limit', () => {
    const euros = '€'.repeat(2_000);

    const cut = truncateUtf8(euros, MAX_TEXT_BYTES);

    expect(cut).toBe('€'.repeat(1_666));
    expect(Buffer.byteLength(cut, 'utf8')).toBe(4_998);
    expect(truncateUtf8('😀😀', 7)).toBe('😀');
    expect(truncateUtf8('short', MAX_TEXT_BYTES)).toBe('short');
  });

  it('refuses an unsupported language as a missing capability without calling Comprehend', async () => {
    const error = await rejection(analyzer.analyze({ text: 'dit is geweldig', language: 'nl-NL' }));

    expect(error).toBeInstanceOf(CapabilityMissingError);
    expect(error.message).toMatch(/^comprehend: .*"nl-NL"/);
    expect(server.requests).toHaveLength(0);
  });

  it('maps the supported languages and nothing else', () => {
    expect(
      [
        'en-GB',
        'fr-CA',
        'pt-BR',
        'zh-CN',
        'zh-Hans',
        'zh-TW',
        'zh-HK',
        'ja',
        'ar-EG',
        'hi-IN',
        'ko-KR',
        'de',
        'it',
      ].map(comprehendLanguageOf),
    ).toEqual(['en', 'fr', 'pt', 'zh', 'zh', 'zh-TW', 'zh-TW', 'ja', 'ar', 'hi', 'ko', 'de', 'it']);
    expect(['nl', 'sv-SE', 'eng', '', 'tw'].map(comprehendLanguageOf)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('answers neutral for blank text without calling Comprehend, which rejects empty text', async () => {
    await expect(analyzer.analyze({ text: '  ', language: 'en' })).resolves.toEqual({ label: 'neutral', score: 0 });
    expect(server.requests).toHaveLength(0);
  });

  it.each(['ThrottlingException', 'TooManyRequestsException', 'InternalServerException'])(
    'maps %s to a retryable DependencyUnavailableError that keeps the cause',
    async (errorType) => {
      server.on(DETECT_SENTIMENT_TARGET, () => ({
        status: errorType === 'InternalServerException' ? 500 : 400,
        errorType,
        message: 'Rate exceeded',
      }));

      const error = await rejection(analyzer.analyze({ text: 'I love it', language: 'en' }));

      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect(error).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', retryable: true });
      expect(error.message).toBe(`comprehend: ${errorType} from DetectSentiment`);
      expect((error.cause as Error).name).toBe(errorType);
    },
  );

  it('maps a language the service refuses to CapabilityMissingError', async () => {
    server.on(DETECT_SENTIMENT_TARGET, () => ({
      status: 400,
      errorType: 'UnsupportedLanguageException',
      message: 'Unsupported language',
    }));

    await expect(analyzer.analyze({ text: 'hola', language: 'es' })).rejects.toBeInstanceOf(CapabilityMissingError);
  });

  it('maps a rejected request to a non-retryable INTERNAL error that does not quote the text', async () => {
    server.on(DETECT_SENTIMENT_TARGET, () => ({
      status: 400,
      errorType: 'InvalidRequestException',
      message: 'Invalid text: my secret diary entry',
    }));

    const error = await rejection(analyzer.analyze({ text: 'my secret diary entry', language: 'en' }));

    expect(error).toMatchObject({
      code: 'INTERNAL',
      retryable: false,
      details: { errorType: 'InvalidRequestException', httpStatusCode: 400 },
    });
    expect(error.message).not.toContain('diary');
  });

  it('maps a refused connection to DependencyUnavailableError', async () => {
    const closed = await startComprehendFake();
    await closed.close();
    const offline = new ComprehendClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: closed.url });

    const error = await rejection(
      new ComprehendSentimentAnalyzer({ client: offline }).analyze({ text: 'great', language: 'en' }),
    );
    offline.destroy();

    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error.message).toBe('comprehend: cannot reach Comprehend (ECONNREFUSED)');
  });

  it('turns a caller abort during the call into AbortedError', async () => {
    const controller = new AbortController();
    server.on(DETECT_SENTIMENT_TARGET, () => {
      controller.abort(new Error('turn cancelled'));
      return new Promise(() => undefined);
    });

    await expect(analyzer.analyze({ text: 'great', language: 'en', signal: controller.signal })).rejects.toBeInstanceOf(
      AbortedError,
    );
  });
});
