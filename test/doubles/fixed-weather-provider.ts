import { DependencyUnavailableError, throwIfAborted } from '../../core/errors.js';
import type { IoOptions } from '../../core/model/io.js';
import type { WeatherLookup } from '../../core/model/weather.js';
import type { WeatherProvider } from '../../core/ports/weather-provider.js';

/** Returns a fixed report for any known city; `down` simulates an unreachable service. */
export class FixedWeatherProvider implements WeatherProvider {
  down = false;
  readonly lookups: string[] = [];

  async lookup(
    request: { city: string; units: 'metric' | 'imperial'; days: number } & IoOptions,
  ): Promise<WeatherLookup> {
    throwIfAborted(request.signal);
    this.lookups.push(request.city);
    if (this.down) throw new DependencyUnavailableError('weather', 'unreachable');
    if (/^nowhere/i.test(request.city)) return { kind: 'unknown-location', query: request.city };
    const t = request.units === 'imperial' ? 64 : 18;
    return {
      kind: 'found',
      report: {
        location: { name: request.city, latitude: 48.85, longitude: 2.35, timeZone: 'Europe/Paris' },
        units: request.units,
        current: { temperature: t, condition: 'Partly cloudy', windSpeed: 12, observedAt: '2026-01-01T12:00' },
        daily: Array.from({ length: request.days }, (_, i) => ({
          date: `2026-01-0${i + 1}`,
          minTemperature: t - 6,
          maxTemperature: t + 2,
          condition: 'Light rain',
          precipitationProbability: 60,
        })),
      },
    };
  }
}
