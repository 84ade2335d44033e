export type MetricUnit = 'Count' | 'Milliseconds' | 'Bytes' | 'Percent';

export interface Telemetry {
  metric(name: string, value: number, unit: MetricUnit, dimensions?: Record<string, string>): void;
  /** Runs `fn` inside a named span; the span ends when the promise settles. */
  span<T>(name: string, fn: () => Promise<T>, attributes?: Record<string, string | number>): Promise<T>;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
