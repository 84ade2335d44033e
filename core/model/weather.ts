import type { Units } from './profile.js';

export interface WeatherLocation {
  name: string;
  /** The state or province (first-level division). */
  region?: string;
  country?: string;
  latitude: number;
  longitude: number;
  timeZone?: string;
}

export interface DailyForecast {
  date: string;
  minTemperature: number;
  maxTemperature: number;
  condition: string;
  precipitationProbability?: number;
}

export interface WeatherReport {
  location: WeatherLocation;
  units: Units;
  current: { temperature: number; condition: string; windSpeed: number; humidity?: number; observedAt: string };
  daily: DailyForecast[];
}

export type WeatherLookup = { kind: 'found'; report: WeatherReport } | { kind: 'unknown-location'; query: string };
