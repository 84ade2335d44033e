import { TranscribeStreamingClient } from '@aws-sdk/client-transcribe-streaming';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  audioEvents,
  transcriptOf,
  TranscribeSpeechRecognizer,
} from '../../../adapters/aws/transcribe-speech-recognizer.js';
import { encodeWav } from '../../../adapters/shared/wav.js';
import { AbortedError, CoreError, DependencyUnavailableError, ValidationError } from '../../../core/errors.js';
import {
  describeSpeechRecognizerContract,
  speechSample,
  type SpeechSample,
} from '../../contract/speech-recognizer.contract.js';
import { TEST_AWS_CLIENT_CONFIG } from '../../fakes/aws/fake-aws-server.js';
import {
  startTranscribeStreamingFake,
  type TranscribeStreamingFake,
} from '../../fakes/aws/transcribe-streaming-fake.js';
import { skipWhen } from '../../support/skip-reason.js';

/** The SDK warns on the console about every failed stream unless it has a logger of its own; failures are the point here. */
const QUIET = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const opened: TranscribeStreamingFake[] = [];
const clients: TranscribeStreamingClient[] = [];

afterAll(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const fake of opened.splice(0)) await fake.close();
});

/** A Transcribe fake taught the contract's spoken sample, and a recognizer talking to it over the real SDK and HTTP/2. */
async function transcribeOver() {
  const fake = await startTranscribeStreamingFake();
  opened.push(fake);
  const spoken = await speechSample().catch(() => undefined);
  if (spoken) fake.hear(spoken.pcm, spoken.sampleRate, spoken.text);
  const client = new TranscribeStreamingClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: fake.url, logger: QUIET });
  clients.push(client);
  return { fake, client, recognizer: new TranscribeSpeechRecognizer({ client }) };
}

describeSpeechRecognizerContract(
  'TranscribeSpeechRecognizer over the Transcribe Streaming fake',
  async () => (await transcribeOver()).recognizer,
);

function tone(sampleRate: number, seconds = 1): Int16Array {
  return Int16Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) =>
    Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)),
  );
}

describe('TranscribeSpeechRecognizer', () => {
  let fake: TranscribeStreamingFake;
  let client: TranscribeStreamingClient;
  let recognizer: TranscribeSpeechRecognizer;
  let spoken: SpeechSample;
  const wavOf = (sample: SpeechSample) => ({ data: sample.wav, format: 'wav' as const, sampleRate: sample.sampleRate });

  beforeAll(async () => {
    ({ fake, client, recognizer } = await transcribeOver());
    spoken = await speechSample();
  });
  afterEach(() => {
    fake.sessions.length = 0;
  });

  it('streams the WAV’s PCM as signed 100 ms AudioEvents and keeps only final results', async () => {
    // Act
    const transcript = await recognizer.transcribe({ audio: wavOf(spoken), language: 'en-US' });
    // Assess
    expect(transcript).toEqual({ text: 'what time is it', confidence: 0.9 });
    const [session] = fake.sessions;
    expect(session?.headers).toMatchObject({
      'x-amzn-transcribe-language-code': 'en-US',
      'x-amzn-transcribe-media-encoding': 'pcm',
      'x-amzn-transcribe-sample-rate': '16000',
    });
    expect(Buffer.compare(session?.audio ?? Buffer.alloc(0), Buffer.from(spoken.pcm))).toBe(0);
    expect(session?.chunkSizes.slice(0, -1).every((size) => size === 3200)).toBe(true);
    expect(session?.chunkSizes.length).toBe(Math.ceil(spoken.pcm.length / 3200));
    expect(session).toMatchObject({ signed: true, ended: true });
  });

  it('takes the sample rate from the WAV header and the language code from the request', async () => {
    const samples = tone(8000);
    fake.hear(encodeWav(samples, 8000).slice(44), 8000, 'hello there');

    const transcript = await recognizer.transcribe({
      audio: { data: encodeWav(samples, 8000), format: 'wav', sampleRate: 44_100 },
      language: 'en_gb',
    });

    expect(transcript.text).toBe('hello there');
    expect(fake.sessions[0]?.headers).toMatchObject({
      'x-amzn-transcribe-sample-rate': '8000',
      'x-amzn-transcribe-language-code': 'en-GB',
    });
  });

  it('gives a bare language its configured region', async () => {
    const custom = new TranscribeSpeechRecognizer({ client, languageCodes: { en: 'en-AU' } });

    await recognizer.transcribe({ audio: wavOf(spoken), language: 'en' });
    await custom.transcribe({ audio: wavOf(spoken), language: 'EN' });

    expect(fake.sessions.map((s) => s.headers['x-amzn-transcribe-language-code'])).toEqual(['en-US', 'en-AU']);
  });

  it('answers an empty transcript for audio with no words in it', async () => {
    const transcript = await recognizer.transcribe({
      audio: { data: encodeWav(tone(16_000), 16_000), format: 'wav', sampleRate: 16_000 },
      language: 'en-US',
    });
    expect(transcript).toEqual({ text: '' });
  });

  it.each([
    ['a rate outside 8..48 kHz', { data: new Uint8Array(1600), format: 'pcm', sampleRate: 96_000 }, 'en-US'],
    ['a language with no configured region', { data: new Uint8Array(1600), format: 'pcm', sampleRate: 16_000 }, 'tlh'],
    ['a clip over five minutes', { data: new Uint8Array(8000 * 2 * 301), format: 'pcm', sampleRate: 8000 }, 'en-US'],
  ] as const)('refuses %s with ValidationError, without calling Transcribe', async (_case, audio, language) => {
    await expect(recognizer.transcribe({ audio: { ...audio }, language })).rejects.toBeInstanceOf(ValidationError);
    expect(fake.sessions).toEqual([]);
  });

  it('maps a language Transcribe refuses (BadRequestException) to ValidationError', async () => {
    const error = await recognizer.transcribe({ audio: wavOf(spoken), language: 'xx-XX' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as CoreError).cause).toMatchObject({ name: 'BadRequestException' });
  });

  it.each([
    [{ kind: 'http', status: 429, errorType: 'LimitExceededException' }, DependencyUnavailableError, true],
    [{ kind: 'http', status: 503, errorType: 'ServiceUnavailableException' }, DependencyUnavailableError, true],
    [{ kind: 'http', status: 500, errorType: 'InternalFailureException' }, DependencyUnavailableError, true],
    [{ kind: 'http', status: 400, errorType: 'BadRequestException' }, ValidationError, false],
    [{ kind: 'event', errorType: 'LimitExceededException' }, DependencyUnavailableError, true],
    [{ kind: 'event', errorType: 'InternalFailureException' }, DependencyUnavailableError, true],
    [{ kind: 'event', errorType: 'BadRequestException' }, ValidationError, false],
  ] as const)('maps %o to %o, retryable: %s', async (failure, type, retryable) => {
    fake.failNext(failure);

    const error = await recognizer.transcribe({ audio: wavOf(spoken), language: 'en-US' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ retryable, message: expect.stringMatching(/^transcribe: /) });
    expect((error as CoreError).cause).toMatchObject({ name: failure.errorType });
  });

  it('stops a stream in flight when the caller aborts', async () => {
    const { received, release } = fake.hold();
    const controller = new AbortController();
    const pending = recognizer
      .transcribe({ audio: wavOf(spoken), language: 'en-US', signal: controller.signal })
      .catch((e: unknown) => e);

    await received;
    controller.abort();

    await expect(pending).resolves.toBeInstanceOf(AbortedError);
    release();
  });

  it('gives up on a silent Transcribe after timeoutMs with a retryable DependencyUnavailableError', async () => {
    const impatient = new TranscribeSpeechRecognizer({ client, timeoutMs: 100 });
    const { release } = fake.hold();
    try {
      const error = await impatient.transcribe({ audio: wavOf(spoken), language: 'en-US' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect(error).toMatchObject({ retryable: true, message: expect.stringContaining('no answer within') });
    } finally {
      release();
    }
  });
});

describe('Transcribe audio events and results', () => {
  it('cuts PCM into chunks of the given duration, the last one shorter', async () => {
    const pcm = new Uint8Array(16_000 * 2 * 0.35).map((_, i) => i % 256);
    const chunks: Uint8Array[] = [];
    for await (const event of audioEvents(pcm, 16_000, 100)) chunks.push(event.AudioEvent?.AudioChunk as Uint8Array);
    expect(chunks.map((c) => c.length)).toEqual([3200, 3200, 3200, 1600]);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from(pcm));
  });

  it('stops producing chunks once the signal fires', async () => {
    const controller = new AbortController();
    const chunks: unknown[] = [];
    for await (const event of audioEvents(new Uint8Array(32_000), 16_000, 100, controller.signal)) {
      chunks.push(event);
      controller.abort();
    }
    expect(chunks).toHaveLength(1);
  });

  it('joins final results in order and averages the words’ confidences', () => {
    const transcript = transcriptOf([
      {
        IsPartial: false,
        Alternatives: [{ Transcript: 'What time', Items: [{ Confidence: 1 }, { Confidence: 0.8 }] }],
      },
      { IsPartial: false, Alternatives: [{ Transcript: ' is it? ', Items: [{ Confidence: 0.6 }, {}] }] },
    ]);
    expect(transcript.text).toBe('What time is it?');
    expect(transcript.confidence).toBeCloseTo(0.8, 10);
    expect(transcriptOf([])).toEqual({ text: '' });
  });

  it('refuses a chunk duration Transcribe cannot take', () => {
    expect(() => new TranscribeSpeechRecognizer({ chunkMilliseconds: 1500 })).toThrow(ValidationError);
  });
});

const IT_AWS = process.env.IT_AWS === '1';
describe('against real Transcribe', skipWhen(!IT_AWS, 'set IT_AWS=1 and AWS credentials'), () => {
  describeSpeechRecognizerContract('TranscribeSpeechRecognizer on AWS', async () => {
    const client = new TranscribeStreamingClient({});
    clients.push(client);
    return new TranscribeSpeechRecognizer({ client });
  });
});
