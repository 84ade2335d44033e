import { gzipSync } from 'node:zlib';
import { LexRuntimeV2Client } from '@aws-sdk/client-lex-runtime-v2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { lexBotDefinition } from '../../../../adapters/aws/lex/lex-bot-definition.js';
import { decodeLexHeader } from '../../../../adapters/aws/lex/lex-runtime-wire.js';
import { LexSpeechRecognizer } from '../../../../adapters/aws/lex/lex-speech-recognizer.js';
import { encodeWav } from '../../../../adapters/shared/wav.js';
import { AbortedError, CoreError, DependencyUnavailableError, ValidationError } from '../../../../core/errors.js';
import type { TrainingSet } from '../../../../core/model/understanding.js';
import {
  describeSpeechRecognizerContract,
  speechSample,
  type SpeechSample,
} from '../../../contract/speech-recognizer.contract.js';
import { TEST_AWS_CLIENT_CONFIG } from '../../../fakes/aws/fake-aws-server.js';
import { startLexRuntimeFake, type LexRuntimeFake } from '../../../fakes/aws/lex-runtime-fake.js';
import { skipWhen } from '../../../support/skip-reason.js';

const BOT = { botId: 'BOTID12345', botAliasId: 'TSTALIASID', localeId: 'en_US' } as const;
const TRAINING: TrainingSet = {
  language: 'en',
  intents: [
    { name: 'time.now', utterances: ['what time is it', "what's the time", 'tell me the time'], slots: [] },
    { name: 'greeting.hello', utterances: ['hello', 'hi there', 'good morning'], slots: [] },
  ],
  entities: {},
};
const definition = lexBotDefinition(TRAINING, {
  botName: 'Assistant',
  localeId: BOT.localeId,
  confidenceThreshold: 0.4,
});
const opened: LexRuntimeFake[] = [];
const clients: LexRuntimeV2Client[] = [];

afterAll(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const fake of opened.splice(0)) await fake.close();
});

/** A Lex fake that has been taught the contract's spoken sample, and a recognizer talking to it over the real SDK. */
async function lexOver() {
  const fake = await startLexRuntimeFake({ botId: BOT.botId, botAliasId: BOT.botAliasId, definition });
  opened.push(fake);
  const spoken = await speechSample().catch(() => undefined);
  if (spoken) fake.hear(spoken.pcm, spoken.sampleRate, spoken.text);
  const client = new LexRuntimeV2Client({ ...TEST_AWS_CLIENT_CONFIG, endpoint: fake.url });
  clients.push(client);
  return { fake, client, recognizer: new LexSpeechRecognizer({ ...BOT, client }) };
}

describeSpeechRecognizerContract(
  'LexSpeechRecognizer over the Lex runtime fake',
  async () => (await lexOver()).recognizer,
);

/** A second of a 440 Hz tone: audio the fake has not been taught, or is taught under a test's own transcript. */
function tone(sampleRate: number, channels = 1): Int16Array {
  const samples = new Int16Array(sampleRate * channels);
  for (let i = 0; i < sampleRate; i += 1)
    for (let c = 0; c < channels; c += 1)
      samples[i * channels + c] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate));
  return samples;
}

describe('LexSpeechRecognizer', () => {
  let fake: LexRuntimeFake;
  let client: LexRuntimeV2Client;
  let recognizer: LexSpeechRecognizer;
  let spoken: SpeechSample;

  beforeAll(async () => {
    ({ fake, client, recognizer } = await lexOver());
    spoken = await speechSample();
  });
  afterEach(() => {
    fake.calls.length = 0;
  });

  it('sends the WAV’s PCM unchanged as 16 kHz L16, asks for a text reply, and uses a fresh session per clip', async () => {
    // Act
    const first = await recognizer.transcribe({
      audio: { data: spoken.wav, format: 'wav', sampleRate: 16_000 },
      language: 'en-US',
    });
    await recognizer.transcribe({ audio: { data: spoken.wav, format: 'wav', sampleRate: 16_000 }, language: 'en' });
    // Assess
    expect(first.text).toBe('what time is it');
    const [a, b] = fake.calls;
    expect(a?.operation).toBe('utterance');
    expect(a?.headers['content-type']).toBe('audio/l16; rate=16000; channels=1');
    expect(a?.headers['response-content-type']).toBe('text/plain; charset=utf-8');
    expect(Buffer.compare(a?.audio ?? Buffer.alloc(0), Buffer.from(spoken.pcm))).toBe(0);
    expect(a?.sessionId).toMatch(/^[0-9a-zA-Z._:-]{2,100}$/);
    expect(b?.sessionId).not.toBe(a?.sessionId);
  });

  it('sends 8 kHz audio as LPCM with Lex’s parameter spelling', async () => {
    const pcm = encodeWav(tone(8000), 8000).slice(44);
    fake.hear(pcm, 8000, 'hello');

    const transcript = await recognizer.transcribe({
      audio: { data: pcm, format: 'pcm', sampleRate: 8000 },
      language: 'en',
    });

    expect(fake.calls[0]?.headers['content-type']).toBe(
      'audio/lpcm; sample-rate=8000; sample-size-bits=16; channel-count=1; is-big-endian=false',
    );
    expect(transcript.text).toBe('hello');
  });

  it('averages a stereo WAV down to the mono PCM Lex takes', async () => {
    const mono = new Int16Array(
      spoken.pcm.buffer.slice(spoken.pcm.byteOffset, spoken.pcm.byteOffset + spoken.pcm.byteLength),
    );
    const stereo = new Int16Array(mono.length * 2).map((_, i) => mono[Math.floor(i / 2)] as number);
    const wav = encodeWav(stereo, 16_000);
    new DataView(wav.buffer).setUint16(22, 2, true);
    new DataView(wav.buffer).setUint16(32, 4, true);
    new DataView(wav.buffer).setUint32(28, 16_000 * 4, true);

    const transcript = await recognizer.transcribe({
      audio: { data: wav, format: 'wav', sampleRate: 16_000 },
      language: 'en',
    });

    expect(transcript.text).toBe('what time is it');
  });

  it('answers an empty transcript for audio Lex hears no words in', async () => {
    const transcript = await recognizer.transcribe({
      audio: { data: encodeWav(tone(16_000), 16_000), format: 'wav', sampleRate: 16_000 },
      language: 'en',
    });
    expect(transcript.text).toBe('');
  });

  it.each([
    ['a rate Lex does not take', { data: encodeWav(tone(22_050), 22_050), format: 'wav', sampleRate: 22_050 }, 'en'],
    [
      '8-bit WAV',
      {
        data: Uint8Array.from([
          ...Buffer.from('RIFF'),
          40,
          0,
          0,
          0,
          ...Buffer.from('WAVEfmt '),
          16,
          0,
          0,
          0,
          1,
          0,
          1,
          0,
          0x40,
          0x1f,
          0,
          0,
          0x40,
          0x1f,
          0,
          0,
          1,
          0,
          8,
          0,
          ...Buffer.from('data'),
          4,
          0,
          0,
          0,
          1,
          2,
          3,
          4,
        ]),
        format: 'wav',
        sampleRate: 8000,
      },
      'en',
    ],
    ['PCM with half a sample', { data: new Uint8Array(3), format: 'pcm', sampleRate: 16_000 }, 'en'],
    [
      'another language than the bot’s',
      { data: encodeWav(tone(16_000), 16_000), format: 'wav', sampleRate: 16_000 },
      'fr-FR',
    ],
  ] as const)('refuses %s with ValidationError, without calling Lex', async (_case, audio, language) => {
    await expect(recognizer.transcribe({ audio: { ...audio }, language })).rejects.toBeInstanceOf(ValidationError);
    expect(fake.calls).toEqual([]);
  });

  it.each([
    [429, 'ThrottlingException', DependencyUnavailableError, true],
    [500, 'InternalServerException', DependencyUnavailableError, true],
    [404, 'ResourceNotFoundException', DependencyUnavailableError, false],
    [400, 'ValidationException', ValidationError, false],
  ] as const)('maps HTTP %i %s to %o, retryable: %s', async (status, errorType, type, retryable) => {
    fake.failNext(status, errorType);

    const error = await recognizer
      .transcribe({ audio: { data: spoken.wav, format: 'wav', sampleRate: 16_000 }, language: 'en' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ retryable, message: expect.stringMatching(/^lex: /) });
    expect((error as CoreError).cause).toMatchObject({ name: errorType });
  });

  it('stops a call in flight when the caller aborts', async () => {
    const { received, release } = fake.hold();
    const controller = new AbortController();
    const pending = recognizer
      .transcribe({
        audio: { data: spoken.wav, format: 'wav', sampleRate: 16_000 },
        language: 'en',
        signal: controller.signal,
      })
      .catch((e: unknown) => e);

    await received;
    controller.abort();

    await expect(pending).resolves.toBeInstanceOf(AbortedError);
    release();
  });

  it('gives up on a silent Lex after timeoutMs with a retryable DependencyUnavailableError', async () => {
    const impatient = new LexSpeechRecognizer({ ...BOT, client, timeoutMs: 100 });
    const { release } = fake.hold();
    try {
      const error = await impatient
        .transcribe({ audio: { data: spoken.wav, format: 'wav', sampleRate: 16_000 }, language: 'en' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect(error).toMatchObject({ retryable: true });
    } finally {
      release();
    }
  });
});

describe('decodeLexHeader', () => {
  const encode = (text: string) => gzipSync(Buffer.from(text, 'utf8')).toString('base64');

  it('gunzips and parses each of the compressed headers RecognizeUtterance answers', () => {
    expect(decodeLexHeader(encode('"what time is it"'), 'x-amz-lex-input-transcript')).toBe('what time is it');
    const interpretations = [
      { intent: { name: 'time_now', state: 'ReadyForFulfillment' }, nluConfidence: { score: 0.93 } },
    ];
    expect(decodeLexHeader(encode(JSON.stringify(interpretations)), 'x-amz-lex-interpretations')).toEqual(
      interpretations,
    );
    const state = { dialogAction: { type: 'Close' }, sessionAttributes: { a: 'b' } };
    expect(decodeLexHeader(encode(JSON.stringify(state)), 'x-amz-lex-session-state')).toEqual(state);
  });

  it('takes a transcript that is bare text rather than a JSON string', () => {
    expect(decodeLexHeader(encode('hello there'), 'x-amz-lex-input-transcript')).toBe('hello there');
  });

  it('answers undefined for a missing header, and DependencyUnavailableError for one that is not gzip', () => {
    expect(decodeLexHeader(undefined, 'x-amz-lex-input-transcript')).toBeUndefined();
    expect(() => decodeLexHeader(Buffer.from('plain').toString('base64'), 'x-amz-lex-input-transcript')).toThrow(
      DependencyUnavailableError,
    );
  });
});

const IT_AWS =
  process.env.IT_AWS === '1' && Boolean(process.env.IT_AWS_LEX_BOT_ID && process.env.IT_AWS_LEX_BOT_ALIAS_ID);
describe(
  'against a real Lex bot',
  skipWhen(!IT_AWS, 'set IT_AWS=1, IT_AWS_LEX_BOT_ID, IT_AWS_LEX_BOT_ALIAS_ID and AWS credentials'),
  () => {
    describeSpeechRecognizerContract('LexSpeechRecognizer on AWS', async () => {
      const client = new LexRuntimeV2Client({});
      clients.push(client);
      return new LexSpeechRecognizer({
        botId: process.env.IT_AWS_LEX_BOT_ID as string,
        botAliasId: process.env.IT_AWS_LEX_BOT_ALIAS_ID as string,
        localeId: 'en_US',
        client,
      });
    });
  },
);
