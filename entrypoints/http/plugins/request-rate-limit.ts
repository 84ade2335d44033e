import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from '../problem.js';

export interface RequestRateLimit {
  /** Requests allowed per key per window; the next one is refused with 429 until the window ends. */
  max: number;
  timeWindowMs: number;
}

export interface RequestRateLimitOptions extends RequestRateLimit {
  /** Whom a request counts against. */
  keyOf: (request: FastifyRequest) => string;
  /** Keys tracked at most; the least recently seen is forgotten first (and starts a new window when it returns). */
  maxKeys?: number;
  /** Milliseconds clock; default Date.now. */
  now?: () => number;
}

interface Window {
  count: number;
  startedAt: number;
}

/** As many keys as @fastify/rate-limit's local store keeps by default. */
const DEFAULT_MAX_KEYS = 5000;

/**
 * Limits the requests of every route of `app` per key in fixed windows, as @fastify/rate-limit does with its local
 * store and the options buildApp gave it (same counting, eviction, headers and 429), in a callback hook instead of
 * the plugin's async one: that hook awaited the key, the store and itself on every request, ~5 % of an authenticated
 * GET's CPU (bench/run.ts history server, alternated with the limiter off). Every answer it lets through carries
 * `x-ratelimit-limit`, `x-ratelimit-remaining` and `x-ratelimit-reset` (seconds until the window ends); a refused one
 * also `retry-after`, and the problem says when to retry. Added after the auth hook, so it counts per user.
 */
export function limitRequestRate(app: FastifyInstance, options: RequestRateLimitOptions): void {
  const { max, timeWindowMs, keyOf } = options;
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS;
  const now = options.now ?? Date.now;
  const limit = String(max);
  // Least recently seen first: a Map iterates in insertion order, and every request re-inserts its key.
  const windows = new Map<string, Window>();
  app.addHook('onRequest', (request, reply, done) => {
    const key = keyOf(request);
    const at = now();
    let window = windows.get(key);
    if (window === undefined) {
      window = { count: 1, startedAt: at };
      if (windows.size >= maxKeys) windows.delete(windows.keys().next().value!);
    } else {
      windows.delete(key);
      if (window.startedAt + timeWindowMs <= at) {
        window.count = 1;
        window.startedAt = at;
      } else {
        window.count += 1;
      }
    }
    windows.set(key, window);
    const resetSeconds = Math.ceil((timeWindowMs - (at - window.startedAt)) / 1000);
    reply.header('x-ratelimit-limit', limit);
    if (window.count <= max) {
      reply.header('x-ratelimit-remaining', String(max - window.count));
      reply.header('x-ratelimit-reset', String(resetSeconds));
      done();
      return;
    }
    reply.header('x-ratelimit-remaining', '0');
    reply.header('x-ratelimit-reset', String(resetSeconds));
    reply.header('retry-after', String(resetSeconds));
    done(
      new HttpProblem(429, 'RATE_LIMITED', `Too many requests; retry in ${spokenSeconds(resetSeconds)}.`, {
        retryAfterSeconds: resetSeconds,
      }),
    );
  });
}

/** Whole seconds as @fastify/rate-limit words them (@lukeed/ms, long): "1 second", "59 seconds", "1 minute". */
export function spokenSeconds(seconds: number): string {
  const units: [limit: number, size: number, name: string][] = [
    [60, 1, 'second'],
    [3600, 60, 'minute'],
    [86_400, 3600, 'hour'],
    [31_557_600, 86_400, 'day'],
  ];
  const [, size, name] = units.find(([limit]) => seconds < limit) ?? [0, 31_557_600, 'year'];
  const count = Math.round(seconds / size);
  return `${count} ${name}${count === 1 ? '' : 's'}`;
}
