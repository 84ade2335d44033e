import type { Clock } from './ports/clock.js';
import type { Telemetry } from './ports/telemetry.js';

/** The wall clock and the process's monotonic timer. */
export const systemClock: Clock = {
  now: () => new Date(),
  monotonicMs: () => performance.now(),
};

/** Telemetry that records nothing, for tests and tools that run the core without observability. */
export const noopTelemetry: Telemetry = {
  metric: () => undefined,
  span: (_name, fn) => fn(),
  warn: () => undefined,
  error: () => undefined,
};

/** The process's pseudo-random source, for jitter; adapters take it as an option so tests can pin it. */
export const systemRandom: () => number = Math.random;
