import { describe, expect, it, vi } from 'vitest';
import { AbortedError } from '../../../core/errors.js';
import { backoffDelayMs, sleep } from '../../../adapters/shared/backoff.js';

describe('backoffDelayMs', () => {
  it('doubles per attempt and keeps half the delay fixed, the other half from the injected random', () => {
    expect(backoffDelayMs(0, { baseMs: 100, random: () => 0 })).toBe(50);
    expect(backoffDelayMs(0, { baseMs: 100, random: () => 0.999_999 })).toBeCloseTo(100, 3);
    expect(backoffDelayMs(3, { baseMs: 100, random: () => 0.5 })).toBe(600);
  });

  it('caps a single delay at maxMs', () => {
    expect(backoffDelayMs(20, { baseMs: 100, random: () => 0, maxMs: 1000 })).toBe(500);
  });
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    vi.useFakeTimers();
    try {
      const done = vi.fn();
      const waiting = sleep(200, undefined, 'svc').then(done);
      await vi.advanceTimersByTimeAsync(199);
      expect(done).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      await waiting;
      expect(done).toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects with AbortedError at once for an aborted signal, and as soon as the signal fires', async () => {
    await expect(sleep(10_000, AbortSignal.abort(), 'svc')).rejects.toBeInstanceOf(AbortedError);
    const controller = new AbortController();
    const waiting = sleep(10_000, controller.signal, 'svc');
    controller.abort();
    await expect(waiting).rejects.toThrow(/^svc: /);
  });
});
