import type { Redis, RedisOptions } from 'ioredis';
import { CoreError, DependencyUnavailableError, ErrorCodes, ValidationError, isCoreError } from '../../core/errors.js';
import type { IoOptions } from '../../core/model/io.js';
import type { Cache } from '../../core/ports/cache.js';
import { untilAborted } from '../shared/abort.js';

const SERVICE = 'redis';

/** The three commands the cache sends; any ioredis client (or cluster) fits. */
export type RedisCacheClient = Pick<Redis, 'get' | 'set' | 'del'>;

export interface RedisCacheOptions {
  /** Created once by the composition root with `redisClientOptions()`, and closed by it. */
  client: RedisCacheClient;
  /** Prepended to every key, so several applications or environments can share one Redis; default none. */
  keyPrefix?: string;
}

/**
 * Client options for a cache that must never hold a turn up: a command fails at once while Redis is unreachable
 * (no offline queue, one retry), connecting and each command are bounded in time, and reconnection keeps trying in
 * the background. Give the client an `error` listener too, or ioredis logs every failed reconnect.
 */
export function redisClientOptions(overrides: RedisOptions = {}): RedisOptions {
  return {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    commandTimeout: 1_000,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
    ...overrides,
  };
}

/** Reply errors that mean Redis is busy, loading, failing over or out of memory: the cache will work again later. */
const PASSING_REPLIES = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|OOM)\b/;
/** Reply errors that mean the credentials or permissions are wrong: only a configuration change helps. */
const REFUSED_REPLIES = /^(NOAUTH|WRONGPASS|NOPERM)\b/;

/**
 * The Cache port over Redis (ElastiCache in the AWS deployment): values are stored as JSON with `SET ... EX`, so
 * Redis expires them itself. Any failure to reach Redis is a DependencyUnavailableError the caller can fall through on.
 */
export class RedisCache implements Cache {
  private readonly client: RedisCacheClient;
  private readonly keyPrefix: string;

  constructor(options: RedisCacheOptions) {
    this.client = options.client;
    this.keyPrefix = options.keyPrefix ?? '';
  }

  async get<T = unknown>({ key, signal }: { key: string } & IoOptions): Promise<T | undefined> {
    const json = await this.call('get', signal, () => this.client.get(this.keyPrefix + key));
    if (json === null) return undefined;
    try {
      return JSON.parse(json) as T;
    } catch {
      // Something other than this cache wrote the key; for a cache that is simply a miss.
      return undefined;
    }
  }

  async set(request: { key: string; value: unknown; ttlSeconds: number } & IoOptions): Promise<void> {
    const { key, value, ttlSeconds, signal } = request;
    // Without a positive TTL, SET would fail, or the entry would never expire.
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0)
      throw new ValidationError(`cache ttl must be positive, got ${ttlSeconds}`);
    // JSON.stringify yields undefined for undefined, functions and symbols; storing that would break get().
    const json = JSON.stringify(value) as string | undefined;
    if (json === undefined) throw new ValidationError(`cache value for ${key} is not JSON-serialisable`);
    const fullKey = this.keyPrefix + key;
    // EX takes whole seconds only; a fractional TTL goes as milliseconds rather than being rounded up.
    await this.call('set', signal, () =>
      Number.isInteger(ttlSeconds)
        ? this.client.set(fullKey, json, 'EX', ttlSeconds)
        : this.client.set(fullKey, json, 'PX', Math.max(1, Math.round(ttlSeconds * 1000))),
    );
  }

  async delete({ key, signal }: { key: string } & IoOptions): Promise<void> {
    await this.call('delete', signal, () => this.client.del(this.keyPrefix + key));
  }

  /** ioredis takes no signal: an aborted caller stops waiting, and one that aborted before sends nothing. */
  private async call<T>(operation: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await untilAborted(SERVICE, signal, run);
    } catch (error) {
      if (isCoreError(error)) throw error;
      throw toCoreError(operation, error);
    }
  }
}

function toCoreError(operation: string, error: unknown): CoreError {
  const { name = 'Error', message = String(error) } = (error ?? {}) as { name?: string; message?: string };
  const details = { operation, redisError: name };
  if (name === 'ReplyError') {
    if (REFUSED_REPLIES.test(message)) {
      return new DependencyUnavailableError(SERVICE, `${operation} refused: ${message}`, {
        cause: error,
        details,
        retryable: false,
      });
    }
    if (!PASSING_REPLIES.test(message)) {
      return new CoreError(ErrorCodes.INTERNAL, `${SERVICE}: ${operation} rejected: ${message}`, {
        cause: error,
        details,
      });
    }
  }
  // Connection refused or closed, offline, timed out, out of retries, or a passing server state.
  return new DependencyUnavailableError(SERVICE, `${operation} failed: ${message}`, { cause: error, details });
}
