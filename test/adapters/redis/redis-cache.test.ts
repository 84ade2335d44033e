import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisCache, redisClientOptions } from '../../../adapters/redis/redis-cache.js';
import { CoreError, DependencyUnavailableError, ValidationError } from '../../../core/errors.js';
import { describeCacheContract } from '../../contract/cache.contract.js';
import { freePort } from '../../fakes/free-port.js';
import { startRedisServer } from '../../fakes/redis-server.js';
import { skipWhen } from '../../support/skip-reason.js';

const server = await startRedisServer();
const skipped = 'skipped' in server ? server.skipped : undefined;
const url = 'url' in server ? server.url : '';

/** A client as the composition root makes it, resolved once connected: with no offline queue, earlier commands fail. */
async function connect(to: string, overrides: RedisOptions = {}): Promise<Redis> {
  const client = new Redis(to, redisClientOptions(overrides));
  // Reconnect failures are reported as events; the assertions look at what the cache returns instead.
  client.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve);
    client.once('end', () => reject(new Error(`cannot connect to ${to}`)));
  });
  return client;
}

const clients: Redis[] = [];
afterAll(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  if ('stop' in server) await server.stop();
});
const shared = async () => {
  if (clients.length === 0) clients.push(await connect(url));
  return clients[0]!;
};

it('runs against a real Redis', ({ skip }) => {
  if (skipped) skip(skipped);
  expect(url).toMatch(/^rediss?:\/\//);
});

describe('with Redis', skipWhen(skipped !== undefined, skipped ?? ''), () => {
  describeCacheContract('RedisCache on redis-server', async () => ({
    cache: new RedisCache({ client: await shared(), keyPrefix: `test:${randomUUID()}:` }),
  }));

  describe('RedisCache', () => {
    const setup = async () => {
      const client = await shared();
      const keyPrefix = `test:${randomUUID()}:`;
      return { client, keyPrefix, cache: new RedisCache({ client, keyPrefix }) };
    };

    it('stores JSON under the prefixed key with SET EX, so Redis itself expires it', async () => {
      const { client, keyPrefix, cache } = await setup();
      await cache.set({ key: 'weather:oslo', value: { temp: 4.5 }, ttlSeconds: 60 });
      await expect(client.get(`${keyPrefix}weather:oslo`)).resolves.toBe('{"temp":4.5}');
      const ttl = await client.ttl(`${keyPrefix}weather:oslo`);
      expect(ttl).toBeGreaterThanOrEqual(59);
      expect(ttl).toBeLessThanOrEqual(60);
    });

    it('sends a fractional TTL as milliseconds instead of rounding it', async () => {
      const { client, keyPrefix, cache } = await setup();
      await cache.set({ key: 'short', value: 1, ttlSeconds: 1.5 });
      const pttl = await client.pttl(`${keyPrefix}short`);
      expect(pttl).toBeGreaterThan(1_000);
      expect(pttl).toBeLessThanOrEqual(1_500);
    });

    it('restarts the TTL when a key is set again', async () => {
      const { client, keyPrefix, cache } = await setup();
      await cache.set({ key: 'k', value: 'first', ttlSeconds: 60 });
      await client.expire(`${keyPrefix}k`, 5);
      await cache.set({ key: 'k', value: 'second', ttlSeconds: 60 });
      await expect(client.ttl(`${keyPrefix}k`)).resolves.toBeGreaterThanOrEqual(59);
      await expect(cache.get({ key: 'k' })).resolves.toBe('second');
    });

    it('lets an entry expire for real', async () => {
      const { client, keyPrefix, cache } = await setup();
      await cache.set({ key: 'fleeting', value: 'soon gone', ttlSeconds: 0.1 });
      await expect.poll(() => cache.get({ key: 'fleeting' }), { timeout: 5_000, interval: 25 }).toBeUndefined();
      await expect(client.exists(`${keyPrefix}fleeting`)).resolves.toBe(0);
    });

    it('keeps caches with different prefixes apart', async () => {
      const { client } = await setup();
      const one = new RedisCache({ client, keyPrefix: `a:${randomUUID()}:` });
      const two = new RedisCache({ client, keyPrefix: `b:${randomUUID()}:` });
      await one.set({ key: 'same', value: 1, ttlSeconds: 60 });
      await expect(two.get({ key: 'same' })).resolves.toBeUndefined();
      await two.delete({ key: 'same' });
      await expect(one.get({ key: 'same' })).resolves.toBe(1);
    });

    it('reads a value it cannot parse as a miss', async () => {
      const { client, keyPrefix, cache } = await setup();
      await client.set(`${keyPrefix}foreign`, 'not json', 'EX', 60);
      await expect(cache.get({ key: 'foreign' })).resolves.toBeUndefined();
    });

    it('refuses values JSON cannot hold and TTLs that would never expire, writing nothing', async () => {
      const { client, keyPrefix, cache } = await setup();
      await expect(cache.set({ key: 'k', value: undefined, ttlSeconds: 60 })).rejects.toBeInstanceOf(ValidationError);
      await expect(cache.set({ key: 'k', value: () => 1, ttlSeconds: 60 })).rejects.toBeInstanceOf(ValidationError);
      await expect(cache.set({ key: 'k', value: 1, ttlSeconds: Number.NaN })).rejects.toBeInstanceOf(ValidationError);
      await expect(cache.set({ key: 'k', value: 1, ttlSeconds: 0 })).rejects.toBeInstanceOf(ValidationError);
      await expect(client.exists(`${keyPrefix}k`)).resolves.toBe(0);
    });

    it('maps a reply error about the data to a non-retryable internal error', async () => {
      const { client, keyPrefix, cache } = await setup();
      await client.hset(`${keyPrefix}hash`, 'field', 'value');
      const failure = await cache.get({ key: 'hash' }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(CoreError);
      expect(failure).toMatchObject({ code: 'INTERNAL', retryable: false, cause: { name: 'ReplyError' } });
    });
  });
});

describe('RedisCache without a reachable Redis', () => {
  let silent: Server | undefined;
  const sockets = new Set<Socket>();
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
  });

  it('fails every operation at once with a retryable DependencyUnavailableError when nothing listens', async () => {
    const client = new Redis(`redis://127.0.0.1:${await freePort()}`, redisClientOptions());
    client.on('error', () => undefined);
    const cache = new RedisCache({ client });
    try {
      for (const attempt of [
        () => cache.get({ key: 'k' }),
        () => cache.set({ key: 'k', value: 1, ttlSeconds: 60 }),
        () => cache.delete({ key: 'k' }),
      ]) {
        const failure = await attempt().catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(DependencyUnavailableError);
        expect(failure).toMatchObject({ dependency: 'redis', retryable: true });
        expect((failure as Error).cause).toBeInstanceOf(Error);
      }
    } finally {
      client.disconnect();
    }
  });

  it('gives up on a server that accepts the connection but never answers, instead of hanging', async () => {
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.resume();
    });
    await new Promise<void>((resolve) => silent?.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    // Without the ready check the client counts as connected at once, so the command is sent and meets the timeout.
    const client = await connect(`redis://127.0.0.1:${port}`, { enableReadyCheck: false });
    try {
      const failure = await new RedisCache({ client }).get({ key: 'k' }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DependencyUnavailableError);
      expect((failure as Error).message).toMatch(/timed out/i);
    } finally {
      client.disconnect();
    }
  });
});
