import { throwIfAborted } from '../../core/errors.js';
import type { Cache } from '../../core/ports/cache.js';
import { BestEffortCaching, type CacheErrorHook } from './best-effort-caching.js';
import type { Units } from '../../core/model/profile.js';
import type { WeatherLookup } from '../../core/model/weather.js';
import type { IoOptions } from '../../core/model/io.js';
import type { WeatherProvider } from '../../core/ports/weather-provider.js';

export interface CachingWeatherProviderOptions {
  inner: WeatherProvider;
  cache: Cache;
  /** How long an answer is reused; 0 turns caching off. */
  ttlSeconds: number;
  /** Told about a cache that failed to read or write; the lookup goes on without it either way. */
  onCacheError?: CacheErrorHook;
}

/**
 * Reuses weather answers for a while: forecasts change slowly and the upstream service is rate-limited. Found and
 * unknown places are cached, failures never, and a cache that is down only costs the saving, never the answer.
 */
export class CachingWeatherProvider implements WeatherProvider {
  private readonly store: BestEffortCaching<WeatherLookup>;

  constructor(private readonly options: CachingWeatherProviderOptions) {
    this.store = new BestEffortCaching(options.cache, options.ttlSeconds, isLookup, options.onCacheError);
  }

  async lookup(request: { city: string; units: Units; days: number } & IoOptions): Promise<WeatherLookup> {
    throwIfAborted(request.signal);
    const { inner, ttlSeconds } = this.options;
    if (!(ttlSeconds > 0)) return inner.lookup(request);
    const key = cacheKey(request);
    const cached = await this.store.read(key, request.signal);
    // The cached answer may come from another spelling of the city; the caller gets back its own query.
    if (cached) return cached.kind === 'unknown-location' ? { kind: 'unknown-location', query: request.city } : cached;
    const lookup = await inner.lookup(request);
    if (lookup.kind === 'found' || lookup.kind === 'unknown-location')
      await this.store.write(key, lookup, request.signal);
    return lookup;
  }
}

/** "  new  YORK " and "New York" are one place: case, accents' composition and runs of spaces do not matter. */
function cacheKey(request: { city: string; units: Units; days: number }): string {
  const city = request.city.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('en');
  return `weather:${request.units}:${request.days}:${city}`;
}

/** Guards against a key some other writer filled with something else. */
function isLookup(value: unknown): value is WeatherLookup {
  if (typeof value !== 'object' || value === null) return false;
  const { kind } = value as { kind?: unknown };
  return (
    (kind === 'found' && typeof (value as { report?: unknown }).report === 'object') || kind === 'unknown-location'
  );
}
