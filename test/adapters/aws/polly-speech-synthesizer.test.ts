import { PollyClient } from '@aws-sdk/client-polly';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { escapeSsml, ssmlRequests } from '../../../adapters/aws/polly-ssml.js';
import {
  PollySpeechSynthesizer,
  type PollySpeechSynthesizerOptions,
} from '../../../adapters/aws/polly-speech-synthesizer.js';
import { parseWav } from '../../../adapters/shared/wav.js';
import { AbortedError, CoreError, SpeechUnavailableError, ValidationError } from '../../../core/errors.js';
import { describeSpeechSynthesizerContract } from '../../contract/speech-synthesizer.contract.js';
import { TEST_AWS_CLIENT_CONFIG } from '../../fakes/aws/fake-aws-server.js';
import { startPollyFake, type PollyFake } from '../../fakes/aws/polly-fake.js';
import { skipWhen } from '../../support/skip-reason.js';

const opened: PollyFake[] = [];
const clients: PollyClient[] = [];

afterAll(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const fake of opened.splice(0)) await fake.close();
});

async function pollyOver(settings: Omit<PollySpeechSynthesizerOptions, 'client' | 'clientConfig'> = {}) {
  const fake = await startPollyFake();
  opened.push(fake);
  const client = new PollyClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: fake.url });
  clients.push(client);
  return { fake, client, polly: new PollySpeechSynthesizer({ ...settings, client }) };
}

describeSpeechSynthesizerContract(
  'PollySpeechSynthesizer over the Polly fake',
  async () => (await pollyOver({ voices: ['Matthew', 'Ruth'] })).polly,
);

/** Sentences of about 60 characters, `count` of them. */
const sentences = (count: number) =>
  Array.from({ length: count }, (_, i) => `This is sentence number ${i + 1} of a rather long answer.`).join(' ');

describe('PollySpeechSynthesizer', () => {
  let fake: PollyFake;
  let client: PollyClient;
  let polly: PollySpeechSynthesizer;

  beforeAll(async () => {
    ({ fake, client, polly } = await pollyOver({ voices: ['Matthew'] }));
  });
  afterEach(() => {
    fake.calls.length = 0;
  });

  it('asks for neural mp3 in the default voice, the text escaped inside <speak>', async () => {
    // Act
    const audio = await polly.synthesize({ text: `Tom & Jerry <3 "cheese" & it's fine`, language: 'en' });
    // Assess
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]?.body).toEqual({
      Engine: 'neural',
      OutputFormat: 'mp3',
      SampleRate: '24000',
      TextType: 'ssml',
      VoiceId: 'Joanna',
      Text: '<speak>Tom &amp; Jerry &lt;3 &quot;cheese&quot; &amp; it&apos;s fine</speak>',
    });
    expect(fake.calls[0]?.spoken).toBe(`Tom & Jerry <3 "cheese" & it's fine`);
    expect(audio).toMatchObject({ format: 'mp3', sampleRate: 24_000 });
    expect([...audio.data.subarray(0, 2)]).toEqual([0xff, 0xf3]);
  });

  it('wraps PCM in a WAV header at the configured rate', async () => {
    const { polly: narrowband } = await pollyOver({ sampleRate: 8000 });

    const wav = await narrowband.synthesize({ text: 'Hello there.', language: 'en', format: 'wav' });
    const pcm = await narrowband.synthesize({ text: 'Hello there.', language: 'en', format: 'pcm' });

    expect(wav).toMatchObject({ format: 'wav', sampleRate: 8000 });
    expect(parseWav(wav.data)).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16 });
    expect(wav.data.subarray(44)).toEqual(pcm.data);
    expect(pcm.sampleRate).toBe(8000);
  });

  it('speaks in the voice the request names, and refuses one it was not given without calling Polly', async () => {
    await polly.synthesize({ text: 'Hello.', language: 'en', voice: 'Matthew' });
    expect(fake.calls[0]?.body.VoiceId).toBe('Matthew');

    await expect(polly.synthesize({ text: 'Hello.', language: 'en', voice: 'Nobody' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(fake.calls).toHaveLength(1);
  });

  it('asks for mp3 at 22,050 Hz from the standard engine', async () => {
    const { polly: standard, fake: standardFake } = await pollyOver({ engine: 'standard' });
    const audio = await standard.synthesize({ text: 'Hello.', language: 'en' });
    expect(standardFake.calls[0]?.body).toMatchObject({ Engine: 'standard', SampleRate: '22050' });
    expect(audio.sampleRate).toBe(22_050);
  });

  it('splits long text between sentences under Polly’s limits and joins the PCM in order', async () => {
    const text = sentences(120);

    const audio = await polly.synthesize({ text, language: 'en', format: 'pcm' });

    expect(fake.calls.length).toBe(3);
    for (const call of fake.calls) {
      expect(call.billed).toBeLessThanOrEqual(3000);
      expect(call.body.Text?.length).toBeLessThanOrEqual(6000);
      expect(call.spoken).toMatch(/^This is sentence number \d+ .* long answer\.$/);
    }
    expect(fake.calls.map((call) => call.spoken).join(' ')).toBe(text);
    const expectedBytes = fake.calls.reduce((sum, call) => sum + 2 * Math.round(call.billed * 0.075 * 16_000), 0);
    expect(audio.data.length).toBe(expectedBytes);
  });

  it('joins the MP3 frames of a long text back to back', async () => {
    const audio = await polly.synthesize({ text: sentences(60), language: 'en', format: 'mp3' });

    expect(fake.calls.length).toBe(2);
    expect(audio.data.length % 192).toBe(0);
    for (let frame = 0; frame < audio.data.length; frame += 192) expect(audio.data[frame]).toBe(0xff);
  });

  it('counts escaped characters against the 6,000-character limit', async () => {
    const text = Array.from({ length: 1400 }, () => '"&"').join(' ');

    await polly.synthesize({ text, language: 'en', format: 'pcm' });

    expect(fake.calls.length).toBeGreaterThan(1);
    expect(fake.calls.every((call) => (call.body.Text?.length ?? 0) <= 6000)).toBe(true);
    expect(fake.calls.map((call) => call.spoken).join(' ')).toBe(text);
  });

  it('splits a sentence too long for one request between words, and a word too long between characters', async () => {
    const words = Array.from({ length: 700 }, (_, i) => `word${i}`).join(' ');
    const giant = 'x'.repeat(3500);

    await polly.synthesize({ text: words, language: 'en', format: 'pcm' });
    const wordCalls = fake.calls.splice(0);
    await polly.synthesize({ text: giant, language: 'en', format: 'pcm' });

    expect(wordCalls.length).toBe(2);
    expect(wordCalls.map((call) => call.spoken).join(' ')).toBe(words);
    expect(fake.calls.map((call) => call.billed)).toEqual([3000, 500]);
  });

  it('asks for Ogg Vorbis, and refuses text that would need more than one Ogg request', async () => {
    const audio = await polly.synthesize({ text: 'Hello.', language: 'en', format: 'ogg' });
    expect(fake.calls[0]?.body.OutputFormat).toBe('ogg_vorbis');
    expect(audio.format).toBe('ogg');

    await expect(polly.synthesize({ text: sentences(60), language: 'en', format: 'ogg' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(fake.calls).toHaveLength(1);
  });

  it.each([
    [400, 'ThrottlingException', SpeechUnavailableError, true],
    [500, 'ServiceFailureException', SpeechUnavailableError, true],
    [400, 'TextLengthExceededException', ValidationError, false],
    [400, 'InvalidSsmlException', ValidationError, false],
    [404, 'LexiconNotFoundException', ValidationError, false],
    [403, 'AccessDeniedException', SpeechUnavailableError, false],
  ] as const)('maps HTTP %i %s to %o, retryable: %s', async (status, errorType, type, retryable) => {
    fake.failNext(status, errorType);

    const error = await polly.synthesize({ text: 'Hello.', language: 'en' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ retryable, message: expect.stringMatching(/^polly: /) });
    expect((error as CoreError).cause).toMatchObject({ name: errorType });
  });

  it('stops a request in flight when the caller aborts', async () => {
    const { received, release } = fake.hold();
    const controller = new AbortController();
    const pending = polly
      .synthesize({ text: 'Hello.', language: 'en', signal: controller.signal })
      .catch((e: unknown) => e);

    await received;
    controller.abort();

    await expect(pending).resolves.toBeInstanceOf(AbortedError);
    release();
  });

  it('gives up on a silent Polly after timeoutMs with a retryable SpeechUnavailableError', async () => {
    const impatient = new PollySpeechSynthesizer({ client, timeoutMs: 100 });
    const { release } = fake.hold();
    try {
      const error = await impatient.synthesize({ text: 'Hello.', language: 'en' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SpeechUnavailableError);
      expect(error).toMatchObject({ retryable: true, message: expect.stringContaining('no answer within') });
    } finally {
      release();
    }
  });

  it('refuses a PCM rate Polly does not make', () => {
    expect(() => new PollySpeechSynthesizer({ client, sampleRate: 24_000 as 16_000 })).toThrow(ValidationError);
  });
});

describe('Polly SSML requests', () => {
  it('escapes every character SSML treats as markup, and the control characters XML refuses', () => {
    expect(escapeSsml(`a & b < c > d "e" 'f'\u0001`)).toBe('a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos; ');
  });

  it('packs whole sentences into as few documents as fit', () => {
    const text = 'One two. Three four. Five six.';
    expect(ssmlRequests(text, { billed: 20, total: 100 })).toEqual([
      '<speak>One two. Three four.</speak>',
      '<speak>Five six.</speak>',
    ]);
  });

  it('keeps a whole document within the total limit, the <speak> wrapper included', () => {
    const documents = ssmlRequests('& & & &', { billed: 100, total: 30 });
    expect(documents.every((d) => d.length <= 30)).toBe(true);
    expect(documents.join('')).toBe('<speak>&amp; &amp;</speak><speak>&amp; &amp;</speak>');
  });

  it('returns nothing for blank text', () => {
    expect(ssmlRequests('  \n ')).toEqual([]);
  });
});

const IT_AWS = process.env.IT_AWS === '1';
describe('against real Polly', skipWhen(!IT_AWS, 'set IT_AWS=1 and AWS credentials'), () => {
  describeSpeechSynthesizerContract('PollySpeechSynthesizer on AWS', async () => {
    const client = new PollyClient({});
    clients.push(client);
    return new PollySpeechSynthesizer({ client, voices: ['Matthew'] });
  });
});
