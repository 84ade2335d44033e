import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenMeteoWeatherProvider, describeWeatherCode } from '../../../adapters/http/open-meteo-weather-provider.js';
import { AbortedError, CoreError, DependencyUnavailableError } from '../../../core/errors.js';
import { describeWeatherProviderContract } from '../../contract/weather-provider.contract.js';
import { startOpenMeteoServer, type OpenMeteoServer } from '../../fakes/open-meteo-server.js';

describeWeatherProviderContract('OpenMeteoWeatherProvider against a local Open-Meteo', async () => {
  const server = await startOpenMeteoServer();
  const provider = new OpenMeteoWeatherProvider({
    geocodingUrl: server.url,
    forecastUrl: server.url,
    timeoutMs: 5_000,
  });
  return { provider, dispose: () => server.close(), setDown: (down) => server.setDown(down) };
});

async function rejection(promise: Promise<unknown>): Promise<CoreError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof CoreError)) throw new Error(`expected a CoreError, got ${String(error)}`);
  return error;
}

describe('OpenMeteoWeatherProvider over HTTP', () => {
  let fake: OpenMeteoServer | undefined;
  let custom: Server | undefined;

  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    custom?.closeAllConnections();
    await new Promise((resolve) => (custom ? custom.close(resolve) : resolve(undefined)));
    custom = undefined;
  });

  async function serve(listener: RequestListener): Promise<string> {
    custom = createServer(listener);
    await new Promise<void>((resolve) => custom?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(custom.address() as AddressInfo).port}`;
  }

  const providerAt = (url: string, timeoutMs = 5_000) =>
    new OpenMeteoWeatherProvider({ geocodingUrl: url, forecastUrl: url, timeoutMs });

  it('asks the geocoder for one English result, then the forecast with the documented parameters', async () => {
    fake = await startOpenMeteoServer();

    const lookup = await providerAt(fake.url).lookup({ city: ' Tokyo ', units: 'imperial', days: 4 });

    const [search, forecast] = fake.requests;
    expect(search?.pathname).toBe('/v1/search');
    expect(Object.fromEntries(search?.searchParams ?? [])).toEqual({
      name: 'Tokyo',
      count: '1',
      language: 'en',
      format: 'json',
    });
    expect(forecast?.pathname).toBe('/v1/forecast');
    expect(Object.fromEntries(forecast?.searchParams ?? [])).toEqual({
      latitude: '35.6895',
      longitude: '139.69171',
      current: 'temperature_2m,relative_humidity_2m,weather_code,wind_speed_10m',
      daily: 'weather_code,temperature_2m_max,temperature_2m_min,precipitation_probability_max',
      timezone: 'auto',
      forecast_days: '4',
      temperature_unit: 'fahrenheit',
      wind_speed_unit: 'mph',
    });
    expect(lookup).toMatchObject({
      kind: 'found',
      report: {
        location: { name: 'Tokyo', country: 'Japan', timeZone: 'Asia/Tokyo' },
        units: 'imperial',
        current: {
          temperature: 58.5,
          condition: 'Mainly clear',
          humidity: 55,
          windSpeed: 5.8,
          observedAt: '2026-03-01T09:30',
        },
      },
    });
    if (lookup.kind === 'found')
      expect(lookup.report.daily[1]).toEqual({
        date: '2026-03-02',
        minTemperature: 49.5,
        maxTemperature: 65.7,
        condition: 'Light rain',
        precipitationProbability: 75,
      });
  });

  it('leaves the units to the metric defaults and clamps days to what the API allows', async () => {
    fake = await startOpenMeteoServer();
    const provider = providerAt(fake.url);

    await provider.lookup({ city: 'London', units: 'metric', days: 40 });
    await provider.lookup({ city: 'London', units: 'metric', days: 0 });

    const forecasts = fake.requests.filter((url) => url.pathname === '/v1/forecast');
    expect(forecasts.map((url) => url.searchParams.get('forecast_days'))).toEqual(['16', '1']);
    expect(
      forecasts.every((url) => !url.searchParams.has('temperature_unit') && !url.searchParams.has('wind_speed_unit')),
    ).toBe(true);
  });

  it('does not ask for a forecast when the place is unknown or the name is blank', async () => {
    fake = await startOpenMeteoServer();
    const provider = providerAt(fake.url);

    await expect(provider.lookup({ city: 'Atlantis', units: 'metric', days: 2 })).resolves.toEqual({
      kind: 'unknown-location',
      query: 'Atlantis',
    });
    await expect(provider.lookup({ city: '  ', units: 'metric', days: 2 })).resolves.toEqual({
      kind: 'unknown-location',
      query: '  ',
    });
    expect(fake.requests.map((url) => url.pathname)).toEqual(['/v1/search']);
  });

  it('serves cities the test adds', async () => {
    fake = await startOpenMeteoServer({
      cities: {
        reykjavik: {
          id: 3413829,
          name: 'Reykjavík',
          country: 'Iceland',
          countryCode: 'IS',
          admin1: 'Capital Region',
          latitude: 64.13548,
          longitude: -21.89541,
          elevation: 30,
          population: 118918,
          timezone: 'Atlantic/Reykjavik',
          utcOffsetSeconds: 0,
          temperatureC: -2,
          humidity: 80,
          windKmh: 30,
          weatherCode: 75,
        },
      },
    });

    const lookup = await providerAt(fake.url).lookup({ city: 'Reykjavík', units: 'metric', days: 1 });

    expect(lookup).toMatchObject({
      kind: 'found',
      report: { location: { name: 'Reykjavík' }, current: { temperature: -2, condition: 'Heavy snowfall' } },
    });
  });

  it.each([500, 502, 503, 429])('maps HTTP %i to a retryable DependencyUnavailableError', async (status) => {
    fake = await startOpenMeteoServer({ failWith: status });

    const error = await rejection(providerAt(fake.url).lookup({ city: 'Paris', units: 'metric', days: 2 }));

    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ retryable: true, dependency: 'open-meteo' });
    expect(error.message).toBe(`open-meteo: HTTP ${status} from /v1/search: Simulated failure ${status}`);
  });

  it('passes the Retry-After of a rate limit on', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '42' });
      res.end(
        JSON.stringify({ error: true, reason: 'Minutely API request limit exceeded. Please try again in one minute.' }),
      );
    });

    await expect(providerAt(url).lookup({ city: 'Paris', units: 'metric', days: 2 })).rejects.toMatchObject({
      retryAfterSeconds: 42,
      retryable: true,
    });
  });

  it('maps a 400 (a request this adapter got wrong) to a non-retryable INTERNAL error with the reason', async () => {
    fake = await startOpenMeteoServer({ failWith: 400 });

    const error = await rejection(providerAt(fake.url).lookup({ city: 'Paris', units: 'metric', days: 2 }));

    expect(error).toMatchObject({ code: 'INTERNAL', retryable: false });
    expect(error.message).toBe('open-meteo: HTTP 400 from /v1/search: Simulated failure 400');
  });

  it('times out on a server that never answers', async () => {
    const url = await serve(() => undefined);

    const error = await rejection(providerAt(url, 100).lookup({ city: 'Paris', units: 'metric', days: 2 }));

    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error.message).toBe('open-meteo: no answer from /v1/search within 100 ms');
  });

  it('maps a refused connection to DependencyUnavailableError with the cause', async () => {
    fake = await startOpenMeteoServer();
    const url = fake.url;
    await fake.close();
    fake = undefined;

    const error = await rejection(providerAt(url).lookup({ city: 'Paris', units: 'metric', days: 2 }));

    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('maps a malformed JSON body to DependencyUnavailableError', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"results": [');
    });

    const error = await rejection(providerAt(url).lookup({ city: 'Paris', units: 'metric', days: 2 }));

    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error.message).toBe('open-meteo: malformed JSON from /v1/search');
  });

  it('maps a forecast of an unexpected shape to DependencyUnavailableError naming the field', async () => {
    fake = await startOpenMeteoServer();
    const geocoder = fake.url;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          current: { time: '2026-03-01T10:00', temperature_2m: '12', weather_code: 3, wind_speed_10m: 4 },
          daily: {},
        }),
      );
    });
    const provider = new OpenMeteoWeatherProvider({ geocodingUrl: geocoder, forecastUrl: url });

    const error = await rejection(provider.lookup({ city: 'Paris', units: 'metric', days: 2 }));

    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error.message).toMatch(
      /^open-meteo: unexpected response shape from \/v1\/forecast \(\/current\/temperature_2m /,
    );
  });

  it('maps geocoding results of the wrong type to DependencyUnavailableError', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ results: [{ name: 'Paris', latitude: 'north' }] }));
    });

    await expect(providerAt(url).lookup({ city: 'Paris', units: 'metric', days: 2 })).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
  });

  it('turns a caller abort during the request into AbortedError', async () => {
    const url = await serve(() => undefined);
    const controller = new AbortController();

    const pending = providerAt(url).lookup({ city: 'Paris', units: 'metric', days: 2, signal: controller.signal });
    controller.abort(new Error('user hung up'));

    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });

  it('keeps null humidity and precipitation out of the report rather than reporting zero', async () => {
    fake = await startOpenMeteoServer();
    const geocoder = fake.url;
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          timezone: 'Europe/Paris',
          current: {
            time: '2026-03-01T10:00',
            temperature_2m: 12,
            relative_humidity_2m: null,
            weather_code: 2,
            wind_speed_10m: 4,
          },
          daily: {
            time: ['2026-03-01'],
            weather_code: [2],
            temperature_2m_max: [14],
            temperature_2m_min: [6],
            precipitation_probability_max: [null],
          },
        }),
      );
    });

    const lookup = await new OpenMeteoWeatherProvider({ geocodingUrl: geocoder, forecastUrl: url }).lookup({
      city: 'Paris',
      units: 'metric',
      days: 1,
    });

    expect(lookup.kind === 'found' && lookup.report.current).not.toHaveProperty('humidity');
    expect(lookup.kind === 'found' && lookup.report.daily[0]).toEqual({
      date: '2026-03-01',
      minTemperature: 6,
      maxTemperature: 14,
      condition: 'Partly cloudy',
    });
  });
});

describe('describeWeatherCode', () => {
  const documented = [
    0, 1, 2, 3, 45, 48, 51, 53, 55, 56, 57, 61, 63, 65, 66, 67, 71, 73, 75, 77, 80, 81, 82, 85, 86, 95, 96, 99,
  ];

  it('has words for every code of the WMO table Open-Meteo documents, all different', () => {
    const words = documented.map(describeWeatherCode);

    expect(words.every((word) => word !== 'Unknown conditions' && word.length > 0)).toBe(true);
    expect(new Set(words).size).toBe(documented.length);
  });

  it.each([
    [0, 'Clear sky'],
    [3, 'Overcast'],
    [48, 'Depositing rime fog'],
    [57, 'Dense freezing drizzle'],
    [66, 'Light freezing rain'],
    [77, 'Snow grains'],
    [82, 'Violent rain showers'],
    [86, 'Heavy snow showers'],
    [99, 'Thunderstorm with heavy hail'],
  ])('reads code %i as "%s"', (code, words) => {
    expect(describeWeatherCode(code)).toBe(words);
  });

  it('reads a code outside the table as unknown instead of failing', () => {
    expect(describeWeatherCode(42)).toBe('Unknown conditions');
    expect(describeWeatherCode(-1)).toBe('Unknown conditions');
  });
});
