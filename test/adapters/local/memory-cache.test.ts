import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../core/errors.js';
import { MemoryCache } from '../../../adapters/local/memory-cache.js';
import { describeCacheContract } from '../../contract/cache.contract.js';
import { FixedClock } from '../../doubles/fixed-clock.js';

describeCacheContract('MemoryCache', async () => {
  const clock = new FixedClock();
  return { cache: new MemoryCache({ clock }), advance: (ms) => clock.advance(ms) };
});

describe('MemoryCache', () => {
  it('evicts the least recently written entry once full', async () => {
    const cache = new MemoryCache({ maxEntries: 2, clock: new FixedClock() });
    await cache.set({ key: 'a', value: 1, ttlSeconds: 60 });
    await cache.set({ key: 'b', value: 2, ttlSeconds: 60 });
    await cache.set({ key: 'a', value: 3, ttlSeconds: 60 });
    await cache.set({ key: 'c', value: 4, ttlSeconds: 60 });
    await expect(cache.get({ key: 'b' })).resolves.toBeUndefined();
    await expect(cache.get({ key: 'a' })).resolves.toBe(3);
    await expect(cache.get({ key: 'c' })).resolves.toBe(4);
  });

  it('refuses values JSON cannot hold and TTLs that would never expire', async () => {
    const cache = new MemoryCache({ clock: new FixedClock() });
    await expect(cache.set({ key: 'k', value: undefined, ttlSeconds: 60 })).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.set({ key: 'k', value: () => 1, ttlSeconds: 60 })).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.set({ key: 'k', value: 1, ttlSeconds: Number.NaN })).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.set({ key: 'k', value: 1, ttlSeconds: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.get({ key: 'k' })).resolves.toBeUndefined();
  });
});
