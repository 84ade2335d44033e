import { throwIfAborted } from '../../core/errors.js';
import type { Cache } from '../../core/ports/cache.js';
import type { Units } from '../../core/ports/user-profile-store.js';
import type { WeatherLookup, WeatherProvider } from '../../core/ports/weather-provider.js';

export interface CachingWeatherProviderOptions {
  inner: WeatherProvider;
  cache: Cache;
  /** How long an answer is reused; 0 turns caching off. */
  ttlSeconds: number;
  /** Told about a cache that failed to read or write; the lookup goes on without it either way. */
  onCacheError?: (error: unknown, operation: 'get' | 'set') => void;
}

/**
 * Reuses weather answers for a while: forecasts change slowly and the upstream service is rate-limited. Found and
 * unknown places are cached, failures never, and a cache that is down only costs the saving, never the answer.
 */
export class CachingWeatherProvider implements WeatherProvider {
  constructor(private readonly options: CachingWeatherProviderOptions) {}

  async lookup(request: { city: string; units: Units; days: number; signal?: AbortSignal }): Promise<WeatherLookup> {
    throwIfAborted(request.signal);
    const { inner, ttlSeconds } = this.options;
    if (!(ttlSeconds > 0)) return inner.lookup(request);
    const key = cacheKey(request);
    const cached = await this.read(key);
    // The cached answer may come from another spelling of the city; the caller gets back its own query.
    if (cached) return cached.kind === 'unknown-location' ? { kind: 'unknown-location', query: request.city } : cached;
    const lookup = await inner.lookup(request);
    if (lookup.kind === 'found' || lookup.kind === 'unknown-location') await this.write(key, lookup);
    return lookup;
  }

  private async read(key: string): Promise<WeatherLookup | undefined> {
    try {
      const value = await this.options.cache.get<WeatherLookup>(key);
      return isLookup(value) ? value : undefined;
    } catch (error) {
      this.report(error, 'get');
      return undefined;
    }
  }

  private async write(key: string, lookup: WeatherLookup): Promise<void> {
    try {
      await this.options.cache.set(key, lookup, this.options.ttlSeconds);
    } catch (error) {
      this.report(error, 'set');
    }
  }

  private report(error: unknown, operation: 'get' | 'set'): void {
    try {
      this.options.onCacheError?.(error, operation);
    } catch {
      // Reporting is best effort; a failing hook must not turn a cache miss into a failed lookup.
    }
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
  return (kind === 'found' && typeof (value as { report?: unknown }).report === 'object') || kind === 'unknown-location';
}
