import type { MetricUnit, Telemetry } from '../../core/ports/telemetry.js';

/** The slice of a pino-style logger this adapter needs. */
export interface StructuredLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  /** pino's check; when present and false for debug, metric and span lines are not even built. */
  isLevelEnabled?(level: 'debug'): boolean;
}

/** Telemetry for the local profile: metrics and span durations as structured debug log lines. */
export class LogTelemetry implements Telemetry {
  /** Metrics and spans are debug lines: on a quieter logger they cost nothing per turn. */
  private readonly debug: boolean;

  constructor(private readonly logger: StructuredLogger) {
    this.debug = logger.isLevelEnabled?.('debug') ?? true;
  }

  metric(name: string, value: number, unit: MetricUnit, dimensions?: Record<string, string>): void {
    if (!this.debug) return;
    const line = { metric: name, value, unit };
    this.safely(
      () => this.logger.debug({ ...line, ...dimensions }, 'metric'),
      () => this.logger.debug(line, 'metric'),
    );
  }

  span<T>(name: string, fn: () => Promise<T>, attributes?: Record<string, string | number>): Promise<T> {
    // Not an async function: at a quieter level the span is fn's own promise, with no promise around it per step.
    if (this.debug) return this.loggedSpan(name, fn, attributes);
    try {
      return fn();
    } catch (error) {
      return rejected(error);
    }
  }

  private async loggedSpan<T>(
    name: string,
    fn: () => Promise<T>,
    attributes?: Record<string, string | number>,
  ): Promise<T> {
    const started = performance.now();
    let failed = false;
    try {
      return await fn();
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      // Logging the span must not replace its outcome, so attributes that cannot be read are dropped, not thrown.
      const line = { span: name, ms: Math.round((performance.now() - started) * 100) / 100, failed };
      this.safely(
        () => this.logger.debug({ ...line, ...attributes }, 'span'),
        () => this.logger.debug(line, 'span'),
      );
    }
  }

  warn(message: string, fields: Record<string, unknown> = {}): void {
    this.safely(
      () => this.logger.warn(fields, message),
      () => this.logger.warn({}, message),
    );
  }

  error(message: string, fields: Record<string, unknown> = {}): void {
    this.safely(
      () => this.logger.error(fields, message),
      () => this.logger.error({}, message),
    );
  }

  /** Telemetry must never fail the caller: a field that cannot be read or serialised drops the fields, not the line. */
  private safely(write: () => void, fallback: () => void): void {
    try {
      write();
    } catch {
      try {
        fallback();
      } catch {
        // Nothing sensible is left to do when the logger itself is broken.
      }
    }
  }
}

/** A synchronous throw of a span's function, as the rejection an async span would have returned. */
async function rejected(error: unknown): Promise<never> {
  throw error;
}
