import { describe, expect, it } from 'vitest';
import { AbortedError, DependencyUnavailableError } from '../../core/errors.js';
import type { Units } from '../../core/model/profile.js';
import type { WeatherProvider } from '../../core/ports/weather-provider.js';
import type { WeatherReport } from '../../core/model/weather.js';
import { managedFactory } from './harness.js';

export interface WeatherProviderHarness {
  provider: WeatherProvider;
  dispose?: () => Promise<void>;
  /** Makes the service unreachable (or reachable again); the "service down" case is skipped without it. */
  setDown?: (down: boolean) => void;
  /** A city the service knows; default "Paris". */
  knownCity?: string;
  /** A name no place has; default "Qxzzyvillequx". */
  unknownCity?: string;
}

async function found(provider: WeatherProvider, city: string, units: Units, days: number): Promise<WeatherReport> {
  const lookup = await provider.lookup({ city, units, days });
  if (lookup.kind !== 'found') throw new Error(`expected ${city} to be found, got ${JSON.stringify(lookup)}`);
  return lookup.report;
}

/** The behaviour every WeatherProvider adapter owes the weather skill. */
export function describeWeatherProviderContract(name: string, make: () => Promise<WeatherProviderHarness>): void {
  describe(`WeatherProvider contract: ${name}`, () => {
    const setup = managedFactory(make);
    const city = (harness: WeatherProviderHarness) => harness.knownCity ?? 'Paris';

    it('finds a known city with sane current conditions and exactly `days` daily entries', async () => {
      const harness = await setup();
      const report = await found(harness.provider, city(harness), 'metric', 3);

      expect(report.units).toBe('metric');
      expect(report.location.name.toLowerCase()).toContain(city(harness).toLowerCase());
      expect(report.location.latitude).toBeGreaterThanOrEqual(-90);
      expect(report.location.latitude).toBeLessThanOrEqual(90);
      expect(report.location.longitude).toBeGreaterThanOrEqual(-180);
      expect(report.location.longitude).toBeLessThanOrEqual(180);
      expect(report.current.temperature).toBeGreaterThan(-90);
      expect(report.current.temperature).toBeLessThan(60);
      expect(report.current.windSpeed).toBeGreaterThanOrEqual(0);
      expect(report.current.condition.trim().length).toBeGreaterThan(0);
      expect(report.current.observedAt.length).toBeGreaterThan(0);
      if (report.current.humidity !== undefined) {
        expect(report.current.humidity).toBeGreaterThanOrEqual(0);
        expect(report.current.humidity).toBeLessThanOrEqual(100);
      }
      expect(report.daily).toHaveLength(3);
      for (const day of report.daily) {
        expect(day.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(day.minTemperature).toBeLessThanOrEqual(day.maxTemperature);
        expect(day.condition.trim().length).toBeGreaterThan(0);
        if (day.precipitationProbability !== undefined) {
          expect(day.precipitationProbability).toBeGreaterThanOrEqual(0);
          expect(day.precipitationProbability).toBeLessThanOrEqual(100);
        }
      }
      const dates = report.daily.map((day) => day.date);
      expect([...dates].sort()).toEqual(dates);
      expect(new Set(dates).size).toBe(dates.length);
    });

    it('honours the number of days asked for', async () => {
      const harness = await setup();
      const one = await found(harness.provider, city(harness), 'metric', 1);
      const five = await found(harness.provider, city(harness), 'metric', 5);

      expect(one.daily).toHaveLength(1);
      expect(five.daily).toHaveLength(5);
    });

    it('honours units: imperial is the same weather in Fahrenheit and miles per hour', async () => {
      const harness = await setup();
      const metric = await found(harness.provider, city(harness), 'metric', 2);
      const imperial = await found(harness.provider, city(harness), 'imperial', 2);

      expect(imperial.units).toBe('imperial');
      expect(imperial.current.temperature).toBeCloseTo((metric.current.temperature * 9) / 5 + 32, 0);
      expect(Math.abs(imperial.current.windSpeed - metric.current.windSpeed / 1.609344)).toBeLessThan(1);
      expect(imperial.daily[0]?.maxTemperature).toBeCloseTo(((metric.daily[0]?.maxTemperature ?? NaN) * 9) / 5 + 32, 0);
    });

    it('answers unknown-location, echoing the query, for a place that does not exist', async () => {
      const harness = await setup();
      const query = harness.unknownCity ?? 'Qxzzyvillequx';

      await expect(harness.provider.lookup({ city: query, units: 'metric', days: 2 })).resolves.toEqual({
        kind: 'unknown-location',
        query,
      });
    });

    it('reports a service that is down as a retryable DependencyUnavailableError', async (context) => {
      const harness = await setup();
      if (!harness.setDown) context.skip('the harness cannot take the service down');
      harness.setDown?.(true);

      const lookup = harness.provider.lookup({ city: city(harness), units: 'metric', days: 2 });
      await expect(lookup).rejects.toBeInstanceOf(DependencyUnavailableError);
      await expect(lookup).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', retryable: true });

      harness.setDown?.(false);
      await expect(found(harness.provider, city(harness), 'metric', 2)).resolves.toMatchObject({ units: 'metric' });
    });

    it('rejects with AbortedError when the signal is already aborted', async () => {
      const harness = await setup();
      const signal = AbortSignal.abort(new Error('caller gave up'));

      await expect(
        harness.provider.lookup({ city: city(harness), units: 'metric', days: 2, signal }),
      ).rejects.toBeInstanceOf(AbortedError);
    });
  });
}
