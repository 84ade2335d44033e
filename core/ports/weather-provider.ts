import type { IoOptions } from '../model/io.js';
import type { Units } from '../model/profile.js';
import type { WeatherLookup } from '../model/weather.js';

export interface WeatherProvider {
  /** Throws DependencyUnavailableError when the service cannot be reached. */
  lookup(request: { city: string; units: Units; days: number } & IoOptions): Promise<WeatherLookup>;
}
