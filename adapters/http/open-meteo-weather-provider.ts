import * as Type from 'typebox';
import type { Static, TSchema } from 'typebox';
import * as Value from 'typebox/value';
import { AbortedError, DependencyUnavailableError, isCoreError, type CoreError } from '../../core/errors.js';
import type { Units } from '../../core/model/profile.js';
import type { DailyForecast, WeatherLookup } from '../../core/model/weather.js';
import type { IoOptions } from '../../core/model/io.js';
import type { WeatherProvider } from '../../core/ports/weather-provider.js';
import type { Clock } from '../../core/ports/clock.js';
import { systemClock } from '../../core/defaults.js';
import { httpStatusError, parseRetryAfter, type ServiceErrorPolicy } from '../shared/service-errors.js';

const SERVICE = 'open-meteo';
/** 429 and 5xx are the service's trouble and pass; any other status means this adapter sent a bad request. */
const HTTP_ERRORS: ServiceErrorPolicy = { adapter: SERVICE, unavailable: new Set(), refusal: 'internal' };
const MAX_FORECAST_DAYS = 16;

export interface OpenMeteoWeatherProviderOptions {
  geocodingUrl?: string;
  forecastUrl?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Reads the time a Retry-After date is counted from; default `systemClock`. */
  clock?: Clock;
}

const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

const GeocodingResponse = Type.Object({
  results: Type.Optional(
    Type.Array(
      Type.Object({
        name: Type.String(),
        latitude: Type.Number(),
        longitude: Type.Number(),
        country: Type.Optional(Type.String()),
        country_code: Type.Optional(Type.String()),
        admin1: Type.Optional(Type.String()),
        timezone: Type.Optional(Type.String()),
      }),
    ),
  ),
});

const ForecastResponse = Type.Object({
  timezone: Type.Optional(Type.String()),
  current: Type.Object({
    time: Type.String(),
    temperature_2m: Type.Number(),
    relative_humidity_2m: Type.Optional(NullableNumber),
    weather_code: Type.Number(),
    wind_speed_10m: Type.Number(),
  }),
  daily: Type.Object({
    time: Type.Array(Type.String()),
    weather_code: Type.Array(Type.Number()),
    temperature_2m_max: Type.Array(Type.Number()),
    temperature_2m_min: Type.Array(Type.Number()),
    precipitation_probability_max: Type.Optional(Type.Array(NullableNumber)),
  }),
});

/** WMO weather interpretation codes, as Open-Meteo documents them, in words fit to be spoken. */
const WMO_CODES: Readonly<Record<number, string>> = {
  0: 'Clear sky',
  1: 'Mainly clear',
  2: 'Partly cloudy',
  3: 'Overcast',
  45: 'Fog',
  48: 'Depositing rime fog',
  51: 'Light drizzle',
  53: 'Moderate drizzle',
  55: 'Dense drizzle',
  56: 'Light freezing drizzle',
  57: 'Dense freezing drizzle',
  61: 'Light rain',
  63: 'Moderate rain',
  65: 'Heavy rain',
  66: 'Light freezing rain',
  67: 'Heavy freezing rain',
  71: 'Light snowfall',
  73: 'Moderate snowfall',
  75: 'Heavy snowfall',
  77: 'Snow grains',
  80: 'Light rain showers',
  81: 'Moderate rain showers',
  82: 'Violent rain showers',
  85: 'Light snow showers',
  86: 'Heavy snow showers',
  95: 'Thunderstorm',
  96: 'Thunderstorm with light hail',
  99: 'Thunderstorm with heavy hail',
};

/** Words for a WMO weather code; codes outside Open-Meteo's table read as unknown rather than failing the lookup. */
export function describeWeatherCode(code: number): string {
  return WMO_CODES[code] ?? 'Unknown conditions';
}

/** Current conditions and a daily forecast from Open-Meteo's free geocoding and forecast APIs (no key needed). */
export class OpenMeteoWeatherProvider implements WeatherProvider {
  private readonly geocodingUrl: string;
  private readonly forecastUrl: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;
  private readonly clock: Clock;

  constructor(options: OpenMeteoWeatherProviderOptions = {}) {
    this.geocodingUrl = (options.geocodingUrl ?? 'https://geocoding-api.open-meteo.com').replace(/\/+$/, '');
    this.forecastUrl = (options.forecastUrl ?? 'https://api.open-meteo.com').replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.clock = options.clock ?? systemClock;
  }

  async lookup(request: { city: string; units: Units; days: number } & IoOptions): Promise<WeatherLookup> {
    const query = request.city.trim();
    if (!query) return { kind: 'unknown-location', query: request.city };
    // "Portland, Oregon": search the name, then keep the best-ranked result in that state or country.
    const [name = query, ...rest] = query.split(',').map((part) => part.trim());
    const within = rest.join(' ').toLowerCase();
    const count = within ? '10' : '1';
    const search = new URLSearchParams({ name, count, language: 'en', format: 'json' });
    const geocoding = await this.get(
      `${this.geocodingUrl}/v1/search?${search.toString()}`,
      GeocodingResponse,
      request.signal,
    );
    const results = geocoding.results ?? [];
    const place =
      results.find((r) => [r.admin1, r.country, r.country_code].some((f) => f?.toLowerCase() === within)) ?? results[0];
    if (!place) return { kind: 'unknown-location', query: request.city };

    const days = Math.min(MAX_FORECAST_DAYS, Math.max(1, Math.round(request.days)));
    const params = new URLSearchParams({
      latitude: String(place.latitude),
      longitude: String(place.longitude),
      current: 'temperature_2m,relative_humidity_2m,weather_code,wind_speed_10m',
      daily: 'weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max',
      timezone: 'auto',
      forecast_days: String(days),
      ...(request.units === 'imperial' && { temperature_unit: 'fahrenheit', wind_speed_unit: 'mph' }),
    });
    const forecast = await this.get(
      `${this.forecastUrl}/v1/forecast?${params.toString()}`,
      ForecastResponse,
      request.signal,
    );
    const { current, daily } = forecast;
    const timeZone = forecast.timezone ?? place.timezone;
    return {
      kind: 'found',
      report: {
        location: {
          name: place.name,
          latitude: place.latitude,
          longitude: place.longitude,
          ...(place.admin1 !== undefined && { region: place.admin1 }),
          ...(place.country !== undefined && { country: place.country }),
          ...(timeZone !== undefined && { timeZone }),
        },
        units: request.units,
        current: {
          temperature: current.temperature_2m,
          condition: describeWeatherCode(current.weather_code),
          windSpeed: current.wind_speed_10m,
          observedAt: current.time,
          ...(typeof current.relative_humidity_2m === 'number' && { humidity: current.relative_humidity_2m }),
        },
        daily: dailyForecasts(daily, days),
      },
    };
  }

  private async get<S extends TSchema>(url: string, schema: S, signal: AbortSignal | undefined): Promise<Static<S>> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const path = new URL(url).pathname;
    try {
      const response = await this.fetch(url, {
        headers: { accept: 'application/json' },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      const text = await response.text();
      if (!response.ok) throw httpError(response, text, path, this.clock.now().getTime());
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        throw new DependencyUnavailableError(SERVICE, `malformed JSON from ${path}`, { cause: error });
      }
      if (!Value.Check(schema, body)) {
        const first = Value.Errors(schema, body)[0];
        const where = first ? ` (${first.instancePath || '/'} ${first.message})` : '';
        throw new DependencyUnavailableError(SERVICE, `unexpected response shape from ${path}${where}`);
      }
      return body;
    } catch (error) {
      if (signal?.aborted) throw new AbortedError(`${SERVICE}: lookup aborted by caller`, { cause: signal.reason });
      if (timeout.aborted) {
        throw new DependencyUnavailableError(SERVICE, `no answer from ${path} within ${this.timeoutMs} ms`, {
          cause: error,
        });
      }
      if (isCoreError(error)) throw error;
      throw new DependencyUnavailableError(SERVICE, `cannot reach ${path}`, { cause: error });
    }
  }
}

function dailyForecasts(daily: Static<typeof ForecastResponse>['daily'], days: number): DailyForecast[] {
  const count = Math.min(
    days,
    daily.time.length,
    daily.weather_code.length,
    daily.temperature_2m_max.length,
    daily.temperature_2m_min.length,
  );
  return Array.from({ length: count }, (_, i) => {
    const precipitation = daily.precipitation_probability_max?.[i];
    return {
      date: daily.time[i] as string,
      minTemperature: daily.temperature_2m_min[i] as number,
      maxTemperature: daily.temperature_2m_max[i] as number,
      condition: describeWeatherCode(daily.weather_code[i] as number),
      ...(typeof precipitation === 'number' && { precipitationProbability: precipitation }),
    };
  });
}

/** 429 and 5xx are the service's trouble and pass; any other status means this adapter sent a bad request. */
function httpError(response: Response, text: string, path: string, now: number): CoreError {
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), now);
  return httpStatusError(HTTP_ERRORS, response.status, ` from ${path}${reasonOf(text)}`, retryAfterSeconds);
}

/** Open-Meteo explains failures as `{"error": true, "reason": "..."}`. */
function reasonOf(text: string): string {
  try {
    const reason = (JSON.parse(text) as { reason?: unknown }).reason;
    return typeof reason === 'string' ? `: ${reason.slice(0, 200)}` : '';
  } catch {
    return '';
  }
}
