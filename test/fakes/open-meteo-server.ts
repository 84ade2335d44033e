import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One place the fake knows, with its weather in metric units; the fake converts when imperial is asked for. */
export interface FakeCity {
  id: number;
  name: string;
  country: string;
  countryCode: string;
  admin1: string;
  latitude: number;
  longitude: number;
  elevation: number;
  population: number;
  timezone: string;
  utcOffsetSeconds: number;
  temperatureC: number;
  humidity: number;
  windKmh: number;
  weatherCode: number;
}

export interface OpenMeteoServer {
  /** Serves both the geocoding (`/v1/search`) and the forecast (`/v1/forecast`) API. */
  url: string;
  requests: URL[];
  /** While down, connections are dropped without an answer, as when the service is unreachable. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

const DEFAULT_CITIES: Record<string, FakeCity> = {
  paris: {
    id: 2988507,
    name: 'Paris',
    country: 'France',
    countryCode: 'FR',
    admin1: 'Île-de-France',
    latitude: 48.85341,
    longitude: 2.3488,
    elevation: 42,
    population: 2138551,
    timezone: 'Europe/Paris',
    utcOffsetSeconds: 3600,
    temperatureC: 11.4,
    humidity: 71,
    windKmh: 14.8,
    weatherCode: 3,
  },
  london: {
    id: 2643743,
    name: 'London',
    country: 'United Kingdom',
    countryCode: 'GB',
    admin1: 'England',
    latitude: 51.50853,
    longitude: -0.12574,
    elevation: 25,
    population: 8961989,
    timezone: 'Europe/London',
    utcOffsetSeconds: 0,
    temperatureC: 9.2,
    humidity: 82,
    windKmh: 21.6,
    weatherCode: 61,
  },
  tokyo: {
    id: 1850147,
    name: 'Tokyo',
    country: 'Japan',
    countryCode: 'JP',
    admin1: 'Tokyo',
    latitude: 35.6895,
    longitude: 139.69171,
    elevation: 44,
    population: 8336599,
    timezone: 'Asia/Tokyo',
    utcOffsetSeconds: 32400,
    temperatureC: 14.7,
    humidity: 55,
    windKmh: 9.4,
    weatherCode: 1,
  },
  'new york': {
    id: 5128581,
    name: 'New York',
    country: 'United States',
    countryCode: 'US',
    admin1: 'New York',
    latitude: 40.71427,
    longitude: -74.00597,
    elevation: 10,
    population: 8804190,
    timezone: 'America/New_York',
    utcOffsetSeconds: -18000,
    temperatureC: 3.1,
    humidity: 64,
    windKmh: 18.2,
    weatherCode: 71,
  },
  berlin: {
    id: 2950159,
    name: 'Berlin',
    country: 'Germany',
    countryCode: 'DE',
    admin1: 'Land Berlin',
    latitude: 52.52437,
    longitude: 13.41053,
    elevation: 74,
    population: 3426354,
    timezone: 'Europe/Berlin',
    utcOffsetSeconds: 3600,
    temperatureC: 6.8,
    humidity: 77,
    windKmh: 16.1,
    weatherCode: 45,
  },
};

/** A city outside the NLU's built-in list (core/skills/weather/known-cities.ts): only the gazetteer knows it. */
export const VALPARAISO: FakeCity = {
  id: 3868626,
  name: 'Valparaiso',
  country: 'Chile',
  countryCode: 'CL',
  admin1: 'Valparaíso',
  latitude: -33.04,
  longitude: -71.63,
  elevation: 10,
  population: 282_448,
  timezone: 'America/Santiago',
  utcOffsetSeconds: -10_800,
  temperatureC: 17,
  humidity: 70,
  windKmh: 14,
  weatherCode: 1,
};

// A fixed first day keeps every answer reproducible.
const FIRST_DAY = Date.UTC(2026, 2, 1);
const DAILY_CODES = [3, 61, 80, 2, 0, 95, 71];
const DAILY_RAIN = [20, 75, 60, 10, 0, 85, 40];

/** A local stand-in for Open-Meteo speaking its real URLs and JSON bodies, on 127.0.0.1 and a free port. */
export async function startOpenMeteoServer(
  options: { cities?: Record<string, FakeCity>; failWith?: number } = {},
): Promise<OpenMeteoServer> {
  const cities = Object.values({ ...DEFAULT_CITIES, ...options.cities });
  const requests: URL[] = [];
  let down = false;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    if (down) {
      req.socket.destroy();
      return;
    }
    if (options.failWith !== undefined) {
      send(res, options.failWith, { error: true, reason: `Simulated failure ${options.failWith}` });
      return;
    }
    if (url.pathname === '/v1/search') send(res, 200, search(cities, url.searchParams));
    else if (url.pathname === '/v1/forecast') forecast(res, cities, url.searchParams);
    else send(res, 404, { error: true, reason: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setDown(value: boolean) {
      down = value;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function search(cities: FakeCity[], params: URLSearchParams) {
  const name = (params.get('name') ?? '').trim().toLowerCase();
  const count = Math.min(100, Math.max(1, Number(params.get('count') ?? 10) || 10));
  // The real service answers "nothing found" by leaving `results` out altogether.
  const matches = name.length < 2 ? [] : cities.filter((city) => city.name.toLowerCase() === name).slice(0, count);
  const results = matches.map((city) => ({
    id: city.id,
    name: city.name,
    latitude: city.latitude,
    longitude: city.longitude,
    elevation: city.elevation,
    feature_code: 'PPLC',
    country_code: city.countryCode,
    timezone: city.timezone,
    population: city.population,
    country: city.country,
    admin1: city.admin1,
  }));
  return { ...(results.length > 0 && { results }), generationtime_ms: 0.4 };
}

function forecast(res: ServerResponse, cities: FakeCity[], params: URLSearchParams): void {
  const latitude = Number(params.get('latitude'));
  const longitude = Number(params.get('longitude'));
  const days = Number(params.get('forecast_days') ?? 7);
  if (!params.has('latitude') || !params.has('longitude') || Number.isNaN(latitude) || Number.isNaN(longitude)) {
    send(res, 400, { error: true, reason: "Parameter 'latitude' and 'longitude' must be given" });
    return;
  }
  if (!Number.isInteger(days) || days < 0 || days > 16) {
    send(res, 400, { error: true, reason: 'Forecast days is invalid. Allowed range 0 to 16.' });
    return;
  }
  const city =
    cities.find((c) => Math.abs(c.latitude - latitude) < 0.5 && Math.abs(c.longitude - longitude) < 0.5) ??
    genericPlace(latitude, longitude);
  const fahrenheit = params.get('temperature_unit') === 'fahrenheit';
  const windUnit = params.get('wind_speed_unit') ?? 'kmh';
  const temp = (celsius: number) => round1(fahrenheit ? (celsius * 9) / 5 + 32 : celsius);
  const wind = (kmh: number) =>
    round1(windUnit === 'mph' ? kmh / 1.609344 : windUnit === 'ms' ? kmh / 3.6 : windUnit === 'kn' ? kmh / 1.852 : kmh);
  const tempUnit = fahrenheit ? '°F' : '°C';
  const windLabel = { kmh: 'km/h', mph: 'mp/h', ms: 'm/s', kn: 'kn' }[windUnit] ?? 'km/h';
  const auto = params.get('timezone') === 'auto';

  const current: Record<string, { unit: string; value: number }> = {
    temperature_2m: { unit: tempUnit, value: temp(city.temperatureC) },
    relative_humidity_2m: { unit: '%', value: city.humidity },
    weather_code: { unit: 'wmo code', value: city.weatherCode },
    wind_speed_10m: { unit: windLabel, value: wind(city.windKmh) },
  };
  const indexes = Array.from({ length: days }, (_, i) => i);
  const daily: Record<string, { unit: string; values: (number | string)[] }> = {
    weather_code: {
      unit: 'wmo code',
      values: indexes.map((i) => (i === 0 ? city.weatherCode : (DAILY_CODES[i % 7] as number))),
    },
    temperature_2m_max: { unit: tempUnit, values: indexes.map((i) => temp(city.temperatureC + 3 + (i % 3))) },
    temperature_2m_min: { unit: tempUnit, values: indexes.map((i) => temp(city.temperatureC - 4 - (i % 2))) },
    precipitation_probability_max: { unit: '%', values: indexes.map((i) => DAILY_RAIN[i % 7] as number) },
  };
  const wantedCurrent = listOf(params.get('current')).filter((name) => name in current);
  const wantedDaily = listOf(params.get('daily')).filter((name) => name in daily);

  send(res, 200, {
    latitude: round1(city.latitude),
    longitude: round1(city.longitude),
    generationtime_ms: 0.11,
    utc_offset_seconds: auto ? city.utcOffsetSeconds : 0,
    timezone: auto ? city.timezone : 'GMT',
    timezone_abbreviation: auto ? abbreviation(city.utcOffsetSeconds) : 'GMT',
    elevation: city.elevation,
    ...(wantedCurrent.length > 0 && {
      current_units: {
        time: 'iso8601',
        interval: 'seconds',
        ...Object.fromEntries(wantedCurrent.map((n) => [n, current[n]?.unit])),
      },
      current: {
        time: localTime(FIRST_DAY + 9.5 * 3600_000),
        interval: 900,
        ...Object.fromEntries(wantedCurrent.map((n) => [n, current[n]?.value])),
      },
    }),
    ...(wantedDaily.length > 0 && {
      daily_units: { time: 'iso8601', ...Object.fromEntries(wantedDaily.map((n) => [n, daily[n]?.unit])) },
      daily: {
        time: indexes.map((i) => localTime(FIRST_DAY + i * 86_400_000).slice(0, 10)),
        ...Object.fromEntries(wantedDaily.map((n) => [n, daily[n]?.values])),
      },
    }),
  });
}

function genericPlace(latitude: number, longitude: number): FakeCity {
  return {
    id: 0,
    name: '',
    country: '',
    countryCode: '',
    admin1: '',
    latitude,
    longitude,
    elevation: 0,
    population: 0,
    timezone: 'GMT',
    utcOffsetSeconds: 0,
    temperatureC: 15,
    humidity: 60,
    windKmh: 10,
    weatherCode: 2,
  };
}

function listOf(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

function localTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 16);
}

function abbreviation(offsetSeconds: number): string {
  if (offsetSeconds === 0) return 'GMT';
  const hours = offsetSeconds / 3600;
  return `GMT${hours > 0 ? '+' : ''}${hours}`;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
