import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AudioInputError } from '../../../adapters/shared/audio-input-error.js';
import { decodeSpeechInput, hasSpeechEnergy, type InputEncoding } from '../../../adapters/shared/audio-input.js';
import { encodeWav } from '../../../adapters/shared/wav.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'audio');
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));

function tone(rate: number, seconds: number): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i += 1) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  return out;
}

describe('decodeSpeechInput', () => {
  it.each([
    ['play-some-jazz.opus.ogg', 'ogg'],
    ['weather-in-paris.stereo.webm', 'webm'],
    ['play-some-jazz.streamed.webm', 'webm'],
  ] as const)('decodes %s to 16 kHz mono', async (name, encoding) => {
    const speech = await decodeSpeechInput(fixture(name), { encoding, maxSeconds: 30 });
    expect(speech.sampleRate).toBe(16_000);
    expect(speech.seconds).toBeGreaterThan(1.5);
    expect(speech.seconds).toBeLessThan(3.5);
    expect(hasSpeechEnergy(speech.samples, 16_000)).toBe(true);
  });

  it('resamples a 44.1 kHz WAV to 16 kHz and keeps its duration', async () => {
    const speech = await decodeSpeechInput(encodeWav(tone(44_100, 1), 44_100), { encoding: 'wav', maxSeconds: 30 });
    expect(speech).toMatchObject({ sampleRate: 16_000, sourceRate: 44_100, seconds: 1 });
    expect(speech.samples.length).toBe(16_000);
  });

  it('reads raw stereo PCM with its declared rate as mono', async () => {
    const mono = tone(8000, 0.5);
    const stereo = new Uint8Array(mono.length * 4);
    const view = new DataView(stereo.buffer);
    mono.forEach((sample, i) => {
      view.setInt16(i * 4, sample, true);
      view.setInt16(i * 4 + 2, sample, true);
    });
    const speech = await decodeSpeechInput(stereo, { encoding: 'pcm', sampleRate: 8000, channels: 2, maxSeconds: 30 });
    expect(speech.seconds).toBe(0.5);
    expect(speech.samples.length).toBe(8000);
  });

  it('refuses Ogg and WebM cut short or damaged with AudioInputError, never anything else', async () => {
    for (const [name, encoding] of [
      ['play-some-jazz.opus.ogg', 'ogg'],
      ['weather-in-paris.stereo.webm', 'webm'],
    ] as const) {
      const bytes = fixture(name);
      for (const cut of [10, 40, 100, 300]) {
        await expect(decodeSpeechInput(bytes.subarray(0, cut), { encoding, maxSeconds: 30 })).rejects.toBeInstanceOf(
          AudioInputError,
        );
      }
    }
  });

  it('answers random bytes in any encoding with AudioInputError or decoded audio, never another error', async () => {
    const encodings: InputEncoding[] = ['wav', 'pcm', 'ogg', 'webm'];
    const prefixes = [
      new Uint8Array(0),
      fixture('play-some-jazz.opus.ogg').subarray(0, 120),
      fixture('weather-in-paris.stereo.webm').subarray(0, 200),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...encodings),
        fc.constantFrom(...prefixes),
        fc.uint8Array({ maxLength: 2048 }),
        async (encoding, prefix, random) => {
          const bytes = new Uint8Array([...prefix, ...random]);
          try {
            await decodeSpeechInput(bytes, { encoding, sampleRate: 16_000, maxSeconds: 30 });
          } catch (error) {
            expect(error).toBeInstanceOf(AudioInputError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
