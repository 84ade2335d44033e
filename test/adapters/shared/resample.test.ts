import { describe, expect, it } from 'vitest';
import { resample } from '../../../adapters/shared/resample.js';

function tone(frequency: number, rate: number, seconds: number, amplitude = 16_000): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i += 1)
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / rate));
  return out;
}

/** RMS of the middle half, away from the edges where the filter sees zeros. */
function rms(samples: Int16Array): number {
  const from = Math.floor(samples.length / 4);
  const to = Math.floor((3 * samples.length) / 4);
  let sum = 0;
  for (let i = from; i < to; i += 1) sum += (samples[i] as number) ** 2;
  return Math.sqrt(sum / (to - from));
}

/** Magnitude of `frequency` in the middle half (a single-bin DFT). */
function magnitude(samples: Int16Array, rate: number, frequency: number): number {
  const from = Math.floor(samples.length / 4);
  const to = Math.floor((3 * samples.length) / 4);
  let re = 0;
  let im = 0;
  for (let i = from; i < to; i += 1) {
    re += (samples[i] as number) * Math.cos((2 * Math.PI * frequency * i) / rate);
    im += (samples[i] as number) * Math.sin((2 * Math.PI * frequency * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / (to - from);
}

describe('resample', () => {
  it.each([
    [44_100, 16_000],
    [48_000, 16_000],
    [8_000, 16_000],
    [22_050, 16_000],
    [11_025, 16_000],
  ])('keeps a 1 kHz tone at its frequency and level (%i Hz → %i Hz)', (from, to) => {
    const out = resample(tone(1000, from, 0.5), from, to);
    expect(out.length).toBe(Math.floor(0.5 * from * (to / from)));
    expect(magnitude(out, to, 1000)).toBeGreaterThan(16_000 * 0.97);
    expect(magnitude(out, to, 1000)).toBeLessThan(16_000 * 1.03);
  });

  it('filters out what would alias: a 12 kHz tone at 48 kHz is gone at 16 kHz (no 4 kHz image)', () => {
    const out = resample(tone(12_000, 48_000, 0.5), 48_000, 16_000);
    expect(magnitude(out, 16_000, 4000)).toBeLessThan(16_000 * 0.01);
    expect(rms(out)).toBeLessThan(16_000 * 0.01);
  });

  it('passes a 16 kHz clip through unchanged', () => {
    const clip = tone(440, 16_000, 0.1);
    expect(resample(clip, 16_000, 16_000)).toBe(clip);
  });
});
