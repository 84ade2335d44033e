import { afterEach, describe, expect, it } from 'vitest';
import { OpenMeteoWeatherProvider } from '../../../adapters/http/open-meteo-weather-provider.js';
import { CachingWeatherProvider } from '../../../adapters/decorators/caching-weather-provider.js';
import { MemoryCache } from '../../../adapters/local/memory-cache.js';
import { AbortedError, DependencyUnavailableError } from '../../../core/errors.js';
import type { Cache } from '../../../core/ports/cache.js';
import { describeWeatherProviderContract } from '../../contract/weather-provider.contract.js';
import { FixedClock } from '../../doubles/fixed-clock.js';
import { startOpenMeteoServer, type OpenMeteoServer } from '../../fakes/open-meteo-server.js';

describeWeatherProviderContract(
  'CachingWeatherProvider over OpenMeteoWeatherProvider against a local Open-Meteo',
  async () => {
    const server = await startOpenMeteoServer();
    const inner = new OpenMeteoWeatherProvider({ geocodingUrl: server.url, forecastUrl: server.url, timeoutMs: 5_000 });
    const provider = new CachingWeatherProvider({ inner, cache: new MemoryCache(), ttlSeconds: 600 });
    return { provider, dispose: () => server.close(), setDown: (down) => server.setDown(down) };
  },
);

/** A cache whose every call fails, as a Redis that went away would. */
const brokenCache: Cache = {
  get: async () => {
    throw new DependencyUnavailableError('redis', 'connection refused');
  },
  set: async () => {
    throw new DependencyUnavailableError('redis', 'connection refused');
  },
  delete: async () => undefined,
};

describe('CachingWeatherProvider', () => {
  let server: OpenMeteoServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function setup(options: { cache?: Cache; ttlSeconds?: number } = {}) {
    server = await startOpenMeteoServer();
    const clock = new FixedClock();
    const inner = new OpenMeteoWeatherProvider({ geocodingUrl: server.url, forecastUrl: server.url, timeoutMs: 5_000 });
    const errors: string[] = [];
    const provider = new CachingWeatherProvider({
      inner,
      cache: options.cache ?? new MemoryCache({ clock }),
      ttlSeconds: options.ttlSeconds ?? 600,
      onCacheError: (_error, operation) => void errors.push(operation),
    });
    const searches = () => server!.requests.filter((url) => url.pathname === '/v1/search').length;
    return { provider, clock, searches, errors, server };
  }

  it('answers a repeated lookup from the cache, however the city is spelt', async () => {
    const { provider, searches } = await setup();
    const first = await provider.lookup({ city: 'New York', units: 'metric', days: 2 });
    await expect(provider.lookup({ city: '  new   YORK ', units: 'metric', days: 2 })).resolves.toEqual(first);
    expect(searches()).toBe(1);
  });

  it('keeps units and days apart', async () => {
    const { provider, searches } = await setup();
    await provider.lookup({ city: 'Paris', units: 'metric', days: 2 });
    const imperial = await provider.lookup({ city: 'Paris', units: 'imperial', days: 2 });
    const longer = await provider.lookup({ city: 'Paris', units: 'metric', days: 5 });
    expect(searches()).toBe(3);
    expect(imperial).toMatchObject({ kind: 'found', report: { units: 'imperial' } });
    expect(longer.kind === 'found' && longer.report.daily).toHaveLength(5);
  });

  it('caches an unknown place too, echoing each caller its own spelling', async () => {
    const { provider, searches } = await setup();
    await expect(provider.lookup({ city: 'Atlantis', units: 'metric', days: 2 })).resolves.toEqual({
      kind: 'unknown-location',
      query: 'Atlantis',
    });
    await expect(provider.lookup({ city: 'ATLANTIS ', units: 'metric', days: 2 })).resolves.toEqual({
      kind: 'unknown-location',
      query: 'ATLANTIS ',
    });
    expect(searches()).toBe(1);
  });

  it('asks again once the TTL has passed', async () => {
    const { provider, clock, searches } = await setup({ ttlSeconds: 60 });
    await provider.lookup({ city: 'Tokyo', units: 'metric', days: 1 });
    clock.advance(59_000);
    await provider.lookup({ city: 'Tokyo', units: 'metric', days: 1 });
    expect(searches()).toBe(1);
    clock.advance(2_000);
    await provider.lookup({ city: 'Tokyo', units: 'metric', days: 1 });
    expect(searches()).toBe(2);
  });

  it('never caches a failure', async () => {
    const { provider, server: fake } = await setup();
    fake.setDown(true);
    await expect(provider.lookup({ city: 'Berlin', units: 'metric', days: 2 })).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
    fake.setDown(false);
    await expect(provider.lookup({ city: 'Berlin', units: 'metric', days: 2 })).resolves.toMatchObject({
      kind: 'found',
    });
  });

  it('still answers when the cache fails, and reports the failures', async () => {
    const { provider, searches, errors } = await setup({ cache: brokenCache });
    await expect(provider.lookup({ city: 'London', units: 'metric', days: 2 })).resolves.toMatchObject({
      kind: 'found',
    });
    await expect(provider.lookup({ city: 'London', units: 'metric', days: 2 })).resolves.toMatchObject({
      kind: 'found',
    });
    expect(searches()).toBe(2);
    expect(errors).toEqual(['get', 'set', 'get', 'set']);
  });

  it('ignores a cached value of the wrong shape', async () => {
    const cache = new MemoryCache();
    const { provider, searches } = await setup({ cache });
    await cache.set({ key: 'weather:metric:2:paris', value: { kind: 'found' }, ttlSeconds: 600 });
    await expect(provider.lookup({ city: 'Paris', units: 'metric', days: 2 })).resolves.toMatchObject({
      kind: 'found',
      report: { units: 'metric' },
    });
    expect(searches()).toBe(1);
  });

  it('passes every lookup through when the TTL is 0', async () => {
    const { provider, searches } = await setup({ ttlSeconds: 0 });
    await provider.lookup({ city: 'Paris', units: 'metric', days: 2 });
    await provider.lookup({ city: 'Paris', units: 'metric', days: 2 });
    expect(searches()).toBe(2);
  });

  it('honours an aborted signal even when the answer is cached', async () => {
    const { provider } = await setup();
    await provider.lookup({ city: 'Paris', units: 'metric', days: 2 });
    const signal = AbortSignal.abort();
    await expect(provider.lookup({ city: 'Paris', units: 'metric', days: 2, signal })).rejects.toBeInstanceOf(
      AbortedError,
    );
  });
});
