import { AbortedError } from '../../core/errors.js';

/** A source of numbers in [0, 1); injected so tests can pin the jitter. */
export type Random = () => number;

export interface BackoffOptions {
  /** The delay before the first retry (attempt 0), doubled for every later attempt. */
  baseMs: number;
  /** Jitter source, `systemRandom` in production. */
  random: Random;
  /** Upper bound on a single delay; default none. */
  maxMs?: number;
}

/**
 * Exponential backoff with "equal jitter": half the doubled delay is kept and half is random, so retries of many
 * callers spread out without any of them retrying at once.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  const ceiling = options.baseMs * 2 ** Math.max(0, attempt);
  const capped = options.maxMs === undefined ? ceiling : Math.min(ceiling, options.maxMs);
  return capped * (0.5 + options.random() / 2);
}

/** Waits `ms`, rejecting with AbortedError (named after `adapter`) as soon as the caller's signal fires. */
export function sleep(ms: number, signal: AbortSignal | undefined, adapter: string): Promise<void> {
  const aborted = () => new AbortedError(`${adapter}: request aborted by caller`, { cause: signal?.reason });
  // An already-fired signal never dispatches 'abort' again, so it has to be checked before listening.
  if (signal?.aborted) return Promise.reject(aborted());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
