import { afterEach, describe, expect, it } from 'vitest';
import type { VoiceActivityDetector } from '../../core/ports/voice-activity-detector.js';
import { speechSample } from './speech-recognizer.contract.js';

/** Splits 16-bit PCM bytes into frames of `samples`, dropping the short tail. */
export function framesOf(pcm: Uint8Array, samples: number): Int16Array[] {
  const all = new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + (pcm.byteLength & ~1)));
  const frames: Int16Array[] = [];
  for (let at = 0; at + samples <= all.length; at += samples) frames.push(all.slice(at, at + samples));
  return frames;
}

/** What every VoiceActivityDetector must do: silence is not speech, the spoken sample is, frames are checked. */
export function describeVoiceActivityDetectorContract(name: string, make: () => Promise<VoiceActivityDetector>): void {
  describe(`VoiceActivityDetector contract: ${name}`, () => {
    let vad: VoiceActivityDetector | undefined;
    afterEach(() => vad?.close());

    it('declares 16 kHz among its frame sizes and calls silence not speech', async () => {
      vad = await make();
      const frame = vad.capabilities.sampleRate / 50;
      expect(vad.capabilities.sampleRate).toBe(16_000);
      expect(vad.capabilities.frameSamples).toContain(frame);
      for (let i = 0; i < 50; i += 1) expect(vad.isSpeech(new Int16Array(frame))).toBe(false);
    });

    it('finds speech in the spoken sample', async () => {
      vad = await make();
      const frames = framesOf((await speechSample()).pcm, vad.capabilities.sampleRate / 50);
      const voiced = frames.filter((frame) => vad?.isSpeech(frame)).length;
      expect(voiced / frames.length).toBeGreaterThan(0.4);
    });

    it('refuses a frame of a length it does not take', async () => {
      vad = await make();
      expect(() => vad?.isSpeech(new Int16Array(123))).toThrow(/frame/);
    });

    it('keeps separate state per instance and can be reset', async () => {
      vad = await make();
      const other = await make();
      const frame = vad.capabilities.sampleRate / 50;
      vad.reset();
      expect(other.isSpeech(new Int16Array(frame))).toBe(false);
      other.close();
      expect(vad.isSpeech(new Int16Array(frame))).toBe(false);
    });
  });
}
