import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NlpJsLanguageUnderstanding } from '../../adapters/local/nlpjs-language-understanding.js';
import { pocketSphinxAvailable } from '../../adapters/local/pocketsphinx-binding.js';
import { resample } from '../../adapters/shared/resample.js';
import { encodeWav, parseWav } from '../../adapters/shared/wav.js';
import { fliteSpeak, pad } from '../support/flite.js';
import { skipWhen } from '../support/skip-reason.js';
import { createHttpHarness, expectProblem, silentWav, toneWav, type HttpHarness } from './http-harness.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'audio');
const fixture = (name: string) => readFileSync(join(FIXTURES, name)).toString('base64');
const available = pocketSphinxAvailable();

let h: HttpHarness;
afterEach(async () => {
  await h.app.close();
});

/** The local profile's voice path: PocketSphinx, nlp.js trained on the skills, eSpeak replies. */
async function localVoiceHarness(env: Record<string, string> = {}) {
  return createHttpHarness({
    assistant: {
      env: { STT: 'pocketsphinx', TTS: 'espeak', ...env },
      overrides: {
        languageUnderstanding: await NlpJsLanguageUnderstanding.create({
          training: await (await createTrainingSource()).trainingSet('en'),
          cacheDir: await mkdtemp(join(tmpdir(), 'nlu-audio-')),
          threshold: 0.6,
        }),
      },
    },
  });
}

async function createTrainingSource() {
  const { defaultSkills } = await import('../../core/skills/default-skills.js');
  const { SkillRegistry } = await import('../../core/skills/skill-registry.js');
  const { FixedWeatherProvider } = await import('../doubles/fixed-weather-provider.js');
  const { ArrayMusicCatalog } = await import('../doubles/array-music-catalog.js');
  return new SkillRegistry(
    defaultSkills({
      weather: new FixedWeatherProvider(),
      music: new ArrayMusicCatalog(),
      assistantName: 'Test Assistant',
    }),
  );
}

async function turn(audio: Record<string, unknown>, speech = true) {
  const headers = await h.as('alice');
  const created = await h.app.inject({ method: 'POST', url: '/v1/conversations', headers, payload: {} });
  const id = created.json<{ id: string }>().id;
  return h.app.inject({
    method: 'POST',
    url: `/v1/conversations/${id}/turns`,
    headers,
    payload: { audio, ...(speech && { speech: { format: 'wav' } }) },
  });
}

async function spokenWav(text: string, voice: 'slt' | 'rms' | 'kal' = 'slt', rate?: number, stereo = false) {
  const speech = await fliteSpeak(text, voice);
  let samples = pad(speech.samples, speech.sampleRate, 0.3);
  let sampleRate = speech.sampleRate;
  if (rate && rate !== sampleRate) {
    samples = resample(samples, sampleRate, rate);
    sampleRate = rate;
  }
  if (!stereo) return Buffer.from(encodeWav(samples, sampleRate));
  // Interleave the same speech on both channels, with a header saying 2 channels.
  const wav = Buffer.alloc(44 + samples.length * 4);
  Buffer.from(encodeWav(new Int16Array(0), sampleRate)).copy(wav);
  wav.writeUInt32LE(36 + samples.length * 4, 4);
  wav.writeUInt16LE(2, 22);
  wav.writeUInt32LE(sampleRate * 4, 28);
  wav.writeUInt16LE(4, 32);
  wav.writeUInt32LE(samples.length * 4, 40);
  for (let i = 0; i < samples.length; i += 1) {
    wav.writeInt16LE(samples[i] as number, 44 + i * 4);
    wav.writeInt16LE(samples[i] as number, 46 + i * 4);
  }
  return wav;
}

describe(
  'audio turns on the local profile (PocketSphinx)',
  skipWhen(!available.ok, available.ok ? '' : available.reason),
  () => {
    beforeAll(async () => {
      await fliteSpeak('warm up');
    });

    const cases: [string, () => Promise<Record<string, unknown>>, string, string][] = [
      [
        'a 16 kHz WAV',
        async () => ({ data: (await spokenWav('what time is it')).toString('base64'), format: 'wav' }),
        'time.now',
        'what time is it',
      ],
      [
        'a 44.1 kHz stereo WAV',
        async () => ({
          data: (await spokenWav('play some jazz', 'slt', 44_100, true)).toString('base64'),
          format: 'audio/wav',
        }),
        'music.play',
        'play some jazz',
      ],
      [
        'an 8 kHz WAV',
        async () => ({ data: (await spokenWav('what can you do', 'kal')).toString('base64'), format: 'wav' }),
        'help.capabilities',
        'what can you do',
      ],
      [
        'raw PCM declared as audio/L16;rate=16000',
        async () => {
          const wav = await spokenWav('next song');
          return { data: wav.subarray(44).toString('base64'), format: 'audio/L16;rate=16000' };
        },
        'music.next',
        'next song',
      ],
      [
        'an Ogg/Opus clip',
        () => Promise.resolve({ data: fixture('play-some-jazz.opus.ogg'), format: 'audio/ogg;codecs=opus' }),
        'music.play',
        'play some jazz',
      ],
      [
        'a WebM/Opus clip (stereo)',
        () => Promise.resolve({ data: fixture('weather-in-paris.stereo.webm'), format: 'audio/webm;codecs=opus' }),
        'weather.current',
        'what is the weather in paris',
      ],
      [
        'a streamed WebM/Opus clip (unknown sizes, as MediaRecorder writes)',
        () => Promise.resolve({ data: fixture('play-some-jazz.streamed.webm'), format: 'webm' }),
        'music.play',
        'play some jazz',
      ],
    ];

    it.each(cases)('understands %s and answers with speech', async (_name, audio, intent, heard) => {
      h = await localVoiceHarness();
      const response = await turn(await audio());
      expect(response.statusCode, response.body).toBe(200);
      const reply = response.json<{ heard: string; intent: string; audio?: { format: string; data: string } }>();
      expect(reply).toMatchObject({ heard, intent });
      expect(reply.audio?.format).toBe('wav');
      expect(parseWav(Buffer.from(reply.audio?.data ?? '', 'base64')).samples.length).toBeGreaterThan(1000);
    });

    it('refuses audio longer than AUDIO_MAX_SECONDS with 422 AUDIO_TOO_LONG', async () => {
      h = await localVoiceHarness({ AUDIO_MAX_SECONDS: '1' });
      const response = await turn({
        data: (await spokenWav('what is the weather in paris')).toString('base64'),
        format: 'wav',
      });
      const problem = expectProblem(response, 422, 'AUDIO_TOO_LONG');
      expect(problem).toMatchObject({ type: 'urn:voice-assistant:problem:audio-too-long', limitSeconds: 1 });
      expect(problem.detail).toMatch(/the limit is 1 s/);
    });
  },
);

describe('unusable audio gets its own problem', () => {
  const ogg = readFileSync(join(FIXTURES, 'play-some-jazz.opus.ogg'));
  const webm = readFileSync(join(FIXTURES, 'weather-in-paris.stereo.webm'));
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  const damaged = Buffer.from(ogg);
  damaged.write('XXXX', 200, 'ascii');
  const cases: [string, Record<string, unknown>, number, string, RegExp][] = [
    [
      'FLAC',
      { data: b64(silentWav()), format: 'audio/flac' },
      415,
      'AUDIO_UNSUPPORTED_FORMAT',
      /"audio\/flac" is not supported/,
    ],
    ['MP3', { data: b64(silentWav()), format: 'mp3' }, 415, 'AUDIO_UNSUPPORTED_FORMAT', /"mp3" is not supported/],
    [
      'WebM Vorbis',
      { data: b64(webm), format: 'audio/webm;codecs=vorbis' },
      415,
      'AUDIO_UNSUPPORTED_FORMAT',
      /not supported/,
    ],
    [
      'PCM without a rate',
      { data: b64(toneWav().subarray(44)), format: 'pcm' },
      415,
      'AUDIO_UNSUPPORTED_FORMAT',
      /needs its sample rate/,
    ],
    [
      'a 96 kHz WAV',
      { data: b64(toneWav(96_000, 96_000)), format: 'wav' },
      415,
      'AUDIO_UNSUPPORTED_FORMAT',
      /96000 Hz is not accepted/,
    ],
    [
      'an 8-bit µ-law WAV',
      { data: b64(mulawWav()), format: 'wav' },
      415,
      'AUDIO_UNSUPPORTED_FORMAT',
      /unsupported encoding/,
    ],
    [
      'a WAV that is not RIFF',
      { data: b64(Buffer.from('not a wav file at all')), format: 'wav' },
      422,
      'AUDIO_CORRUPT',
      /not a RIFF\/WAVE file/,
    ],
    [
      'a truncated WAV',
      { data: b64(toneWav(8000).subarray(0, 40)), format: 'wav' },
      422,
      'AUDIO_CORRUPT',
      /WAV file cannot be read/,
    ],
    [
      'an odd-length PCM',
      { data: b64(Buffer.alloc(333, 7)), format: 'audio/L16;rate=16000' },
      422,
      'AUDIO_CORRUPT',
      /whole number of frames/,
    ],
    [
      'an Ogg file that is not Ogg',
      { data: b64(Buffer.from('OggX-not-really')), format: 'ogg' },
      422,
      'AUDIO_CORRUPT',
      /not an Ogg stream/,
    ],
    ['a damaged Ogg file', { data: b64(damaged), format: 'ogg' }, 422, 'AUDIO_CORRUPT', /damaged at byte/],
    ['a WebM file that is not WebM', { data: b64(ogg), format: 'webm' }, 422, 'AUDIO_CORRUPT', /not a WebM file/],
    ['a WAV with no samples', { data: b64(silentWav(0)), format: 'wav' }, 422, 'AUDIO_EMPTY', /no samples/],
    ['a silent WAV', { data: b64(silentWav(16_000)), format: 'wav' }, 422, 'AUDIO_SILENT', /silent/],
    ['silent PCM', { data: b64(Buffer.alloc(32_000)), format: 'audio/pcm;rate=16000' }, 422, 'AUDIO_SILENT', /silent/],
  ];

  it.each(cases)('%s', async (_name, audio, status, code, detail) => {
    h = await createHttpHarness();
    const response = await turn(audio, false);
    const problem = expectProblem(response, status, code);
    expect(problem.type).toBe(`urn:voice-assistant:problem:${code.toLowerCase().replaceAll('_', '-')}`);
    expect(problem.detail).toMatch(detail);
  });

  it('answers valid speech with the 501 problem when voice input is off', async () => {
    h = await createHttpHarness();
    const response = await turn({ data: fixture('play-some-jazz.opus.ogg'), format: 'ogg' }, false);
    expectProblem(response, 501, 'CAPABILITY_MISSING');
  });
});

/** A WAV header declaring µ-law (format 7), which is not accepted. */
function mulawWav(): Buffer {
  const wav = toneWav(800);
  wav.writeUInt16LE(7, 20);
  return wav;
}
