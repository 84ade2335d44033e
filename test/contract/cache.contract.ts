import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../core/errors.js';
import type { Cache } from '../../core/ports/cache.js';
import { managedFactory } from './harness.js';

export interface CacheHandle {
  cache: Cache;
  /** Moves the cache's clock forward; given only when the adapter takes an injectable clock. */
  advance?: (ms: number) => void;
  dispose?: () => Promise<void>;
}

// Fresh keys per test keep the suite valid against a cache shared between tests (a real redis, say).
const newKey = (label: string) => `contract:${label}:${randomUUID()}`;

const jsonValues: readonly [string, unknown][] = [
  ['an object', { city: 'Oslo', temp: 18.5, tags: ['cloudy'], nested: { ok: true, none: null } }],
  ['an array', [1, 'two', { three: 3 }, [4], null, false]],
  ['an integer', 42],
  ['a negative fraction', -0.125],
  ['zero', 0],
  ['a string', 'plain text with ünïcödé and "quotes"'],
  ['an empty string', ''],
  ['true', true],
  ['false', false],
  ['null', null],
];

const aborted = () => AbortSignal.abort(new Error('caller gave up'));
const isAborted = { code: ErrorCodes.ABORTED };

/** The Cache contract every adapter must pass; `make` builds a fresh cache per test. */
export function describeCacheContract(name: string, make: () => Promise<CacheHandle>): void {
  describe(`Cache contract: ${name}`, () => {
    const setup = managedFactory(make);

    it('returns undefined for a key never set', async () => {
      const { cache } = await setup();
      await expect(cache.get({ key: newKey('missing') })).resolves.toBeUndefined();
    });

    it.each(jsonValues)('round-trips %s', async (_label, value) => {
      const { cache } = await setup();
      const key = newKey('value');
      await cache.set({ key: key, value: value, ttlSeconds: 60 });
      await expect(cache.get({ key })).resolves.toEqual(value);
    });

    it('overwrites a value and keeps keys apart', async () => {
      const { cache } = await setup();
      const first = newKey('first');
      const second = newKey('second');
      await cache.set({ key: first, value: { v: 1 }, ttlSeconds: 60 });
      await cache.set({ key: second, value: 'other', ttlSeconds: 60 });
      await cache.set({ key: first, value: { v: 2 }, ttlSeconds: 60 });
      await expect(cache.get({ key: first })).resolves.toEqual({ v: 2 });
      await expect(cache.get({ key: second })).resolves.toBe('other');
    });

    it('deletes a key, and deleting a missing key is a no-op', async () => {
      const { cache } = await setup();
      const gone = newKey('gone');
      const kept = newKey('kept');
      await cache.set({ key: gone, value: 1, ttlSeconds: 60 });
      await cache.set({ key: kept, value: 2, ttlSeconds: 60 });
      await cache.delete({ key: gone });
      await expect(cache.delete({ key: newKey('never') })).resolves.toBeUndefined();
      await expect(cache.get({ key: gone })).resolves.toBeUndefined();
      await expect(cache.get({ key: kept })).resolves.toBe(2);
    });

    it('stores keys with separators, spaces and non-ASCII characters verbatim', async () => {
      const { cache } = await setup();
      const base = newKey('odd');
      const keys = [`${base}/a:b`, `${base} with space`, `${base}:ключ`, `${base}:*`];
      for (const [index, key] of keys.entries()) await cache.set({ key: key, value: index, ttlSeconds: 60 });
      for (const [index, key] of keys.entries()) await expect(cache.get({ key })).resolves.toBe(index);
    });

    it('hands out copies: mutating the stored or returned object never changes the cached value', async () => {
      const { cache } = await setup();
      const key = newKey('copy');
      const value = { list: [1, 2], inner: { n: 1 } };
      await cache.set({ key: key, value: value, ttlSeconds: 60 });
      value.list.push(3);
      const fetched = await cache.get<typeof value>({ key });
      expect(fetched).toEqual({ list: [1, 2], inner: { n: 1 } });
      fetched!.inner.n = 99;
      await expect(cache.get({ key })).resolves.toEqual({ list: [1, 2], inner: { n: 1 } });
    });

    it('expires an entry after its TTL', async ({ skip }) => {
      const { cache, advance } = await setup();
      if (!advance) return skip('the adapter takes no controllable clock, and waiting on real time is not a test');
      const key = newKey('ttl');
      await cache.set({ key: key, value: 'fresh', ttlSeconds: 10 });
      advance(9_000);
      await expect(cache.get({ key })).resolves.toBe('fresh');
      advance(2_000);
      await expect(cache.get({ key })).resolves.toBeUndefined();
    });

    it('restarts the TTL when a key is set again', async ({ skip }) => {
      const { cache, advance } = await setup();
      if (!advance) return skip('the adapter takes no controllable clock, and waiting on real time is not a test');
      const key = newKey('ttl-reset');
      await cache.set({ key: key, value: 'first', ttlSeconds: 10 });
      advance(8_000);
      await cache.set({ key: key, value: 'second', ttlSeconds: 10 });
      advance(8_000);
      await expect(cache.get({ key })).resolves.toBe('second');
      advance(3_000);
      await expect(cache.get({ key })).resolves.toBeUndefined();
    });

    it('rejects every call with ABORTED when the signal has already fired, and writes nothing', async () => {
      const { cache } = await setup();
      const kept = newKey('kept');
      const fresh = newKey('fresh');
      await cache.set({ key: kept, value: 'before', ttlSeconds: 60 });
      await expect(cache.set({ key: fresh, value: 1, ttlSeconds: 60, signal: aborted() })).rejects.toMatchObject(
        isAborted,
      );
      await expect(cache.set({ key: kept, value: 'after', ttlSeconds: 60, signal: aborted() })).rejects.toMatchObject(
        isAborted,
      );
      await expect(cache.delete({ key: kept, signal: aborted() })).rejects.toMatchObject(isAborted);
      await expect(cache.get({ key: kept, signal: aborted() })).rejects.toMatchObject(isAborted);
      await expect(cache.get({ key: fresh })).resolves.toBeUndefined();
      await expect(cache.get({ key: kept })).resolves.toBe('before');
    });
  });
}
