import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../core/errors.js';
import type { Audio } from '../../core/model/audio.js';
import type { AudioStore } from '../../core/ports/audio-store.js';
import { managedFactory } from './harness.js';

export interface AudioStoreHandle {
  store: AudioStore;
  /** Moves the store's clock past its retention; given only when the adapter takes an injectable clock. */
  expire?: () => void;
  dispose?: () => Promise<void>;
}

const clip = (bytes: number, seed = 1): Audio => ({
  data: Uint8Array.from({ length: bytes }, (_, i) => (i * 31 + seed) % 256),
  format: 'wav',
  sampleRate: 16_000,
});

/** The AudioStore contract every adapter must pass; `make` builds a fresh store per test. */
export function describeAudioStoreContract(name: string, make: () => Promise<AudioStoreHandle>): void {
  describe(`AudioStore contract: ${name}`, () => {
    const setup = managedFactory(make);

    it('returns the bytes, format and rate it was given, under a reference that names them', async () => {
      const { store } = await setup();
      const audio = clip(4096);
      const ref = await store.put({ audio });
      expect(ref).toMatchObject({ format: 'wav', sampleRate: 16_000, bytes: 4096 });
      expect(JSON.parse(JSON.stringify(ref))).toEqual(ref);
      const back = await store.get({ ref });
      expect(back.format).toBe('wav');
      expect(back.sampleRate).toBe(16_000);
      expect(Buffer.from(back.data).equals(Buffer.from(audio.data))).toBe(true);
    });

    it('keeps clips apart and unaffected by later changes to the caller buffer', async () => {
      const { store } = await setup();
      const first = clip(100, 1);
      const second = clip(200, 2);
      const [a, b] = [await store.put({ audio: first }), await store.put({ audio: second })];
      expect(a.uri).not.toBe(b.uri);
      first.data.fill(0);
      expect((await store.get({ ref: a })).data).toEqual(clip(100, 1).data);
      expect((await store.get({ ref: b })).data).toHaveLength(200);
    });

    it('reports a forgotten clip as not found, and forgetting twice is fine', async () => {
      const { store } = await setup();
      const ref = await store.put({ audio: clip(10) });
      await store.delete({ ref });
      await store.delete({ ref });
      await expect(store.get({ ref })).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
    });

    it('reports an unknown reference as not found', async () => {
      const { store } = await setup();
      const ref = await store.put({ audio: clip(10) });
      await expect(store.get({ ref: { ...ref, uri: `${ref.uri}-missing` } })).rejects.toMatchObject({
        code: ErrorCodes.NOT_FOUND,
      });
    });

    it('stops before storing when the caller has already gone', async () => {
      const { store } = await setup();
      const controller = new AbortController();
      controller.abort();
      await expect(store.put({ audio: clip(10), signal: controller.signal })).rejects.toMatchObject({
        code: ErrorCodes.ABORTED,
      });
    });

    it('forgets clips after its retention', async (ctx) => {
      const handle = await setup();
      if (!handle.expire) return ctx.skip('the adapter has no injectable clock (retention is the service lifecycle)');
      const ref = await handle.store.put({ audio: clip(10) });
      handle.expire();
      await expect(handle.store.get({ ref })).rejects.toMatchObject({ code: ErrorCodes.NOT_FOUND });
    });
  });
}
