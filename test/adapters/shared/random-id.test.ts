import { describe, expect, it } from 'vitest';
import { randomId } from '../../../adapters/shared/random-id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('randomId', () => {
  it('makes version 4 UUIDs as crypto.randomUUID does, never the same twice (across pool refills)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i += 1) {
      const id = randomId();
      expect(id).toMatch(UUID_V4);
      seen.add(id);
    }
    expect(seen.size).toBe(5000);
    expect(crypto.randomUUID()).toMatch(UUID_V4);
  });

  it('draws every random hex digit from the whole range', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i += 1) {
      for (const digit of randomId().replace(/-/g, '').slice(0, 12)) counts.set(digit, (counts.get(digit) ?? 0) + 1);
    }
    expect(counts.size).toBe(16);
    // 24,000 digits: each of the 16 is expected 1,500 times; a stuck or biased nibble would be far off.
    for (const count of counts.values()) expect(count).toBeGreaterThan(1200);
  });
});
