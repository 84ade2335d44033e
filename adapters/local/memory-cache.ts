import type { Cache } from '../../core/ports/cache.js';
import type { Clock } from '../../core/ports/clock.js';
import type { IoOptions } from '../../core/model/io.js';
import { systemClock } from '../../core/defaults.js';
import { ValidationError, throwIfAborted } from '../../core/errors.js';

interface Entry {
  json: string;
  expiresAt: number;
}

/** A bounded in-process cache with per-entry TTL; the oldest entry goes first when full. */
export class MemoryCache implements Cache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: { maxEntries?: number; clock?: Pick<Clock, 'now'> } = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    const clock = options.clock ?? systemClock;
    this.now = () => clock.now().getTime();
  }

  async get<T = unknown>({ key, signal }: { key: string } & IoOptions): Promise<T | undefined> {
    throwIfAborted(signal);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return JSON.parse(entry.json) as T;
  }

  async set(request: { key: string; value: unknown; ttlSeconds: number } & IoOptions): Promise<void> {
    const { key, value, ttlSeconds, signal } = request;
    throwIfAborted(signal);
    // A NaN expiry would never compare as expired, so the entry would live forever.
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0)
      throw new ValidationError(`cache ttl must be positive, got ${ttlSeconds}`);
    // JSON.stringify yields undefined for undefined, functions and symbols; storing that would break get().
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) throw new ValidationError(`cache value for ${key} is not JSON-serialisable`);
    this.entries.delete(key);
    this.entries.set(key, { json, expiresAt: this.now() + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  async delete({ key, signal }: { key: string } & IoOptions): Promise<void> {
    throwIfAborted(signal);
    this.entries.delete(key);
  }
}
