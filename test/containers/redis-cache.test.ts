import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCache, redisClientOptions } from '../../adapters/redis/redis-cache.js';
import { DependencyUnavailableError } from '../../core/errors.js';
import { describeCacheContract } from '../contract/cache.contract.js';
import {
  describeWithContainers,
  faults,
  removeContainer,
  startRedis,
  type StartedService,
} from './support/containers.js';

/** A client as the composition root makes it, on loopback; ioredis needs an error listener or it logs every retry. */
function connect(redis: StartedService, clients: Redis[]): Redis {
  const client = new Redis({ ...redisClientOptions(), host: '127.0.0.1', port: redis.port() });
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

async function ready(client: Redis, withinMs = 15_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (client.status !== 'ready') {
    if (Date.now() > deadline) throw new Error(`redis client still ${client.status} after ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error('expected a failure, got an answer'),
    (error: unknown) => error,
  );
}

describeWithContainers('RedisCache in a Redis container', () => {
  const clients: Redis[] = [];
  afterAll(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });

  describe('against a fresh Redis', () => {
    let redis: StartedService | undefined;
    beforeAll(async () => {
      redis = await startRedis();
    });
    afterAll(() => removeContainer(redis));

    describeCacheContract('RedisCache (container)', async () => {
      const client = connect(redis!, clients);
      await ready(client);
      return {
        cache: new RedisCache({ client, keyPrefix: 'contract:' }),
        dispose: async () => void client.disconnect(),
      };
    });

    it('leaves expiry to Redis: the key carries the TTL it was set with', async () => {
      // The contract's TTL cases need a clock the test controls; here the server's own countdown is checked instead.
      const client = connect(redis!, clients);
      await ready(client);
      const cache = new RedisCache({ client, keyPrefix: 'ttl:' });
      const key = randomUUID();
      await cache.set({ key: key, value: { v: 1 }, ttlSeconds: 30 });
      await cache.set({ key: `${key}-short`, value: { v: 2 }, ttlSeconds: 1.5 });
      const seconds = await client.ttl(`ttl:${key}`);
      const millis = await client.pttl(`ttl:${key}-short`);
      expect(seconds).toBeGreaterThan(25);
      expect(seconds).toBeLessThanOrEqual(30);
      expect(millis).toBeGreaterThan(0);
      expect(millis).toBeLessThanOrEqual(1_500);
    });
  });

  describe('at a real network boundary: paused, stopped and restarted', () => {
    let redis: StartedService | undefined;
    let client: Redis;
    let cache: RedisCache;
    beforeAll(async () => {
      redis = await startRedis({ stablePort: true });
      client = connect(redis, clients);
      await ready(client);
      cache = new RedisCache({ client, keyPrefix: 'faults:' });
    });
    afterAll(() => removeContainer(redis));

    it('answers a paused Redis with a retryable DependencyUnavailableError within the command timeout, then works on', async () => {
      await cache.set({ key: 'before', value: 'kept', ttlSeconds: 60 });
      await faults.pause(redis!.container);
      try {
        const started = Date.now();
        const error = await failure(cache.get({ key: 'before' }));
        expect(error).toBeInstanceOf(DependencyUnavailableError);
        expect(error).toMatchObject({ dependency: 'redis', retryable: true, retryAfterSeconds: 1 });
        // The connection is open but nothing answers: only the client's command timeout ends the wait.
        expect(Date.now() - started).toBeLessThan(5_000);
        await expect(cache.set({ key: 'during', value: 'lost', ttlSeconds: 60 })).rejects.toBeInstanceOf(
          DependencyUnavailableError,
        );
      } finally {
        await faults.unpause(redis!.container);
      }
      await ready(client);
      await expect(cache.get({ key: 'before' })).resolves.toBe('kept');
      await cache.set({ key: 'after', value: 'written', ttlSeconds: 60 });
      await expect(cache.get({ key: 'after' })).resolves.toBe('written');
    });

    it('answers a stopped Redis with DependencyUnavailableError at once, and reconnects by itself after a restart', async () => {
      await faults.stop(redis!.container);
      // The client notices the closed connection; from then on it refuses commands instead of queueing them.
      for (const started = Date.now(); client.status === 'ready' && Date.now() - started < 5_000;) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const started = Date.now();
      const error = await failure(cache.set({ key: 'while-stopped', value: 1, ttlSeconds: 60 }));
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect(error).toMatchObject({ dependency: 'redis', retryable: true });
      // Refused on the spot (no offline queue), not after a timeout.
      expect(Date.now() - started).toBeLessThan(2_000);
      await expect(cache.get({ key: 'while-stopped' })).rejects.toBeInstanceOf(DependencyUnavailableError);

      await faults.restart(redis!.container);
      expect(redis!.port(), 'the service keeps its address across the restart').toBe(client.options.port);
      await ready(client);
      // Memory only, as a cache may be: what was cached before the restart is a miss now, never an error.
      await expect(cache.get({ key: 'before' })).resolves.toBeUndefined();
      await cache.set({ key: 'after-restart', value: { ok: true }, ttlSeconds: 60 });
      await expect(cache.get({ key: 'after-restart' })).resolves.toEqual({ ok: true });
    });
  });
});
