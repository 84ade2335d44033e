import type { Cache } from '../../core/ports/cache.js';

export type CacheErrorHook = (error: unknown, operation: 'get' | 'set') => void;

/**
 * A cache used only to save work: a read that fails or returns something of the wrong shape is a miss, a write that
 * fails is skipped, and either is reported to the hook. It never turns a cache outage into a failed call.
 */
export class BestEffortCaching<T> {
  constructor(
    private readonly cache: Cache,
    private readonly ttlSeconds: number,
    private readonly isValue: (value: unknown) => value is T,
    private readonly onError?: CacheErrorHook,
  ) {}

  async read(key: string, signal?: AbortSignal): Promise<T | undefined> {
    try {
      const value = await this.cache.get({ key, signal });
      return this.isValue(value) ? value : undefined;
    } catch (error) {
      this.report(error, 'get');
      return undefined;
    }
  }

  async write(key: string, value: T, signal?: AbortSignal): Promise<void> {
    try {
      await this.cache.set({ key, value, ttlSeconds: this.ttlSeconds, signal });
    } catch (error) {
      this.report(error, 'set');
    }
  }

  private report(error: unknown, operation: 'get' | 'set'): void {
    try {
      this.onError?.(error, operation);
    } catch {
      // Reporting is best effort too: a failing hook must not turn a cache miss into a failed call.
    }
  }
}
