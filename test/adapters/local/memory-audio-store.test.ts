import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../core/errors.js';
import { MemoryAudioStore } from '../../../adapters/local/memory-audio-store.js';
import { describeAudioStoreContract } from '../../contract/audio-store.contract.js';
import { FixedClock } from '../../doubles/fixed-clock.js';

describeAudioStoreContract('MemoryAudioStore', async () => {
  const clock = new FixedClock();
  return { store: new MemoryAudioStore({ clock, ttlMs: 60_000 }), expire: () => clock.advance(60_001) };
});

describe('MemoryAudioStore', () => {
  const audio = (bytes: number) => ({ data: new Uint8Array(bytes), format: 'pcm' as const, sampleRate: 16_000 });

  it('drops the oldest clips once over its byte budget', async () => {
    const store = new MemoryAudioStore({ clock: new FixedClock(), maxBytes: 250 });
    const first = await store.put({ audio: audio(100) });
    const second = await store.put({ audio: audio(100) });
    const third = await store.put({ audio: audio(100) });
    await expect(store.get({ ref: first })).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
    await expect(store.get({ ref: second })).resolves.toMatchObject({ format: 'pcm' });
    await expect(store.get({ ref: third })).resolves.toMatchObject({ format: 'pcm' });
  });

  it('refuses a clip larger than the whole budget', async () => {
    const store = new MemoryAudioStore({ clock: new FixedClock(), maxBytes: 50 });
    await expect(store.put({ audio: audio(51) })).rejects.toMatchObject({ code: ErrorCodes.VALIDATION });
  });
});
