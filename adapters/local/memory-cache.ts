import type { Cache } from '../../core/ports/cache.js';
import type { Clock } from '../../core/ports/clock.js';

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
    const clock = options.clock;
    this.now = clock ? () => clock.now().getTime() : () => Date.now();
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return JSON.parse(entry.json) as T;
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { json: JSON.stringify(value), expiresAt: this.now() + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }
}
