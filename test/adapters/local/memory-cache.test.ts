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
    await cache.set('a', 1, 60);
    await cache.set('b', 2, 60);
    await cache.set('a', 3, 60);
    await cache.set('c', 4, 60);
    await expect(cache.get('b')).resolves.toBeUndefined();
    await expect(cache.get('a')).resolves.toBe(3);
    await expect(cache.get('c')).resolves.toBe(4);
  });

  it('refuses values JSON cannot hold and TTLs that would never expire', async () => {
    const cache = new MemoryCache({ clock: new FixedClock() });
    await expect(cache.set('k', undefined, 60)).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.set('k', () => 1, 60)).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.set('k', 1, Number.NaN)).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.set('k', 1, 0)).rejects.toBeInstanceOf(ValidationError);
    await expect(cache.get('k')).resolves.toBeUndefined();
  });
});
