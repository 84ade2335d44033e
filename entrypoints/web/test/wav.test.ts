import { describe, expect, it } from 'vitest';
import { parseWav } from '../../../adapters/shared/wav';
import { encodeWav, fromBase64, toBase64, wavSamples } from '../src/wav';

const frame = (...samples: number[]) => new Int16Array(samples).buffer;

describe('the WAV the HTTP voice transport uploads', () => {
  it('is 16-bit mono PCM at the given rate holding the frames back to back, as the server parses it', () => {
    const wav = encodeWav([frame(1, -2, 3), frame(32767, -32768)], 16_000);
    expect(wav.length).toBe(44 + 10);
    const text = (at: number) => String.fromCharCode(...wav.subarray(at, at + 4));
    expect([text(0), text(8), text(12), text(36)]).toEqual(['RIFF', 'WAVE', 'fmt ', 'data']);
    const view = new DataView(wav.buffer);
    expect(view.getUint32(4, true)).toBe(36 + 10);
    expect(view.getUint32(28, true)).toBe(32_000);
    const parsed = parseWav(wav);
    expect(parsed.sampleRate).toBe(16_000);
    expect(parsed.channels).toBe(1);
    expect(Array.from(parsed.samples)).toEqual([1, -2, 3, 32767, -32768]);
  });

  it('is a valid empty file for no frames, and drops a stray odd byte', () => {
    expect(encodeWav([], 16_000).length).toBe(44);
    expect(encodeWav([new Uint8Array([1, 0, 7]).buffer], 8_000).length).toBe(46);
  });

  it('reads back its samples and rate (a reply that came as WAV), and refuses what is not PCM WAV', () => {
    const read = wavSamples(encodeWav([frame(5, 6, 7)], 22_050));
    expect(read?.sampleRate).toBe(22_050);
    expect(Array.from(new Int16Array(read?.pcm ?? new ArrayBuffer(0)))).toEqual([5, 6, 7]);
    expect(wavSamples(new TextEncoder().encode('ID3 not a wav file'))).toBeUndefined();
  });

  it('base64 round-trips a clip larger than one String.fromCharCode call can take', () => {
    const bytes = new Uint8Array(200_001).map((_, i) => (i * 7) % 256);
    const text = toBase64(bytes);
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    expect(text).toBe(btoa(binary));
    expect(fromBase64(text)).toEqual(bytes);
  });
});
