import { beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../adapters/shared/wav.js';
import { AbortedError, ValidationError } from '../../core/errors.js';
import type { Audio, AudioFormat } from '../../core/model/audio.js';
import type { SpeechSynthesizer, SynthesizeRequest } from '../../core/ports/speech-synthesizer.js';

const SHORT = 'The weather in Paris is sunny today.';
const LONG =
  'The weather in Paris is sunny today, with a light breeze from the west. Tomorrow brings clouds in the morning, ' +
  'a chance of rain after lunch, and clearer skies again by the evening.';

/** Seconds of audio in a clip, for the formats whose length can be read without a decoder; undefined otherwise. */
function secondsOf(audio: Audio): number | undefined {
  if (audio.format === 'wav') {
    const wav = parseWav(audio.data);
    return wav.samples.length / wav.channels / wav.sampleRate;
  }
  return audio.format === 'pcm' ? audio.data.length / 2 / audio.sampleRate : undefined;
}

/** The behaviour every SpeechSynthesizer adapter owes the core. */
export function describeSpeechSynthesizerContract(name: string, make: () => Promise<SpeechSynthesizer>): void {
  describe(`SpeechSynthesizer contract: ${name}`, () => {
    let synthesizer: SpeechSynthesizer;
    let measurable: AudioFormat;
    const speak = (text: string, extra: Partial<SynthesizeRequest> = {}) =>
      synthesizer.synthesize({ text, language: 'en', format: measurable, ...extra });

    beforeAll(async () => {
      synthesizer = await make();
      const formats = synthesizer.capabilities.formats;
      measurable = formats.includes('wav') ? 'wav' : formats.includes('pcm') ? 'pcm' : (formats[0] as AudioFormat);
    });

    it('declares at least one format and voice, the default voice among them', () => {
      expect(synthesizer.capabilities.formats.length).toBeGreaterThan(0);
      expect(synthesizer.capabilities.voices).toContain(synthesizer.capabilities.defaultVoice);
    });

    it('speaks a sentence as non-empty audio in a declared format', async () => {
      const audio = await synthesizer.synthesize({ text: SHORT, language: 'en' });
      expect(synthesizer.capabilities.formats).toContain(audio.format);
      expect(audio.data.length).toBeGreaterThan(1000);
      expect(audio.sampleRate).toBeGreaterThan(0);
    });

    it.for(['wav', 'pcm'] as const)(
      'returns %s in the requested format when it declares it',
      async (format, context) => {
        if (!synthesizer.capabilities.formats.includes(format))
          context.skip(`the synthesizer does not declare ${format}`);
        const audio = await speak(SHORT, { format });
        expect(audio.format).toBe(format);
        if (format === 'wav') expect(parseWav(audio.data)).toMatchObject({ sampleRate: audio.sampleRate, channels: 1 });
        expect(secondsOf(audio)).toBeGreaterThan(0.5);
        expect(secondsOf(audio)).toBeLessThan(10);
      },
    );

    it('speaks with every declared voice', async () => {
      for (const voice of synthesizer.capabilities.voices) {
        const audio = await speak('Hello, this is a test.', { voice });
        expect(audio.data.length, voice).toBeGreaterThan(1000);
      }
    });

    it('gives longer audio for longer text', async (context) => {
      const short = await speak(SHORT);
      const long = await speak(LONG);
      const [a, b] = [secondsOf(short), secondsOf(long)];
      if (a === undefined || b === undefined) context.skip('the audio format carries no duration to compare');
      expect(b).toBeGreaterThan((a as number) * 2);
    });

    it.each(['', '   \n\t'])('rejects empty text (%j) with ValidationError', async (text) => {
      await expect(speak(text)).rejects.toBeInstanceOf(ValidationError);
    });

    it('survives 50 calls in a row, some of them concurrent', async () => {
      const sizes: number[] = [];
      for (let i = 0; i < 25; i += 1) sizes.push((await speak(`Call number ${i}.`)).data.length);
      const batches = Array.from({ length: 5 }, (_, b) =>
        Array.from({ length: 5 }, (_, i) => `Concurrent call ${b * 5 + i}.`),
      );
      for (const batch of batches) {
        const audios = await Promise.all(batch.map((text) => speak(text)));
        sizes.push(...audios.map((audio) => audio.data.length));
      }
      expect(sizes).toHaveLength(50);
      expect(sizes.filter((size) => size < 1000)).toEqual([]);
    });

    it('rejects with AbortedError when the signal has already fired', async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(speak(SHORT, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    });
  });
}
