import { describe, expect, it } from 'vitest';
import { Endpointer } from '../../core/voice/endpointer.js';

const frame = (n: number) => new Int16Array([n]);

describe('Endpointer', () => {
  it('starts after the voiced run, keeps the preroll and ends after the hangover', () => {
    const endpointer = new Endpointer({ frameMs: 20, startMs: 40, hangoverMs: 60, prerollMs: 40 });
    const events = [];
    const voiced = [0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0];
    for (const [i, v] of voiced.entries()) events.push(endpointer.push(frame(i), v === 1));
    expect(events[4]).toEqual({ type: 'speech-started' });
    const ended = events[10];
    expect(ended?.type).toBe('speech-ended');
    if (ended?.type !== 'speech-ended') return;
    expect(ended.reason).toBe('silence');
    expect(ended.utterance.map((f) => f[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(endpointer.inSpeech).toBe(false);
  });

  it('ignores a blip shorter than the start run, cuts at the maximum length, and ends when forced', () => {
    const endpointer = new Endpointer({ frameMs: 20, startMs: 60, maxUtteranceMs: 100 });
    expect([1, 1, 0].map((v) => endpointer.push(frame(v), v === 1))).toEqual([undefined, undefined, undefined]);
    expect(endpointer.force()).toBeUndefined();
    const events = Array.from({ length: 10 }, (_, i) => endpointer.push(frame(i), true));
    expect(events.find((e) => e?.type === 'speech-ended')).toMatchObject({ reason: 'max-length' });
    for (let i = 0; i < 3; i += 1) endpointer.push(frame(i), true);
    expect(endpointer.force()).toMatchObject({ type: 'speech-ended', reason: 'forced' });
  });
});
