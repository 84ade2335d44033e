import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit as PowertoolsUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { ValidationError } from '../../core/errors.js';
import type { MetricUnit, Telemetry } from '../../core/ports/telemetry.js';

export interface PowertoolsTelemetryOptions {
  /** The `service` of every log line, metric and trace. */
  serviceName: string;
  /** The CloudWatch namespace the metrics go to. */
  namespace: string;
  logger?: Logger;
  metrics?: Metrics;
  /**
   * Spans become X-Ray subsegments through this tracer; without one nothing is traced. The caller makes it (or not),
   * so a process that never traces never loads the X-Ray SDK under it.
   */
  tracer?: Tracer;
}

const UNITS: Readonly<Record<MetricUnit, (typeof PowertoolsUnit)[keyof typeof PowertoolsUnit]>> = {
  Count: PowertoolsUnit.Count,
  Milliseconds: PowertoolsUnit.Milliseconds,
  Bytes: PowertoolsUnit.Bytes,
  Percent: PowertoolsUnit.Percent,
};

/**
 * Telemetry on AWS through Powertools: JSON log lines, CloudWatch metrics in the Embedded Metric Format on stdout, and
 * X-Ray subsegments. Metrics without dimensions are buffered and go out on `flush()`, which a Lambda handler calls at
 * the end of each invocation (or lets the `logMetrics` middleware call `publishStoredMetrics` on the same Metrics).
 * Observing never breaks the work it observes: a metric CloudWatch would refuse is dropped with a warning, and a
 * tracing failure only loses the subsegment.
 */
export class PowertoolsTelemetry implements Telemetry {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer | undefined;

  constructor(options: PowertoolsTelemetryOptions) {
    if (!options.serviceName || !options.namespace)
      throw new ValidationError('PowertoolsTelemetry: serviceName and namespace are required');
    this.logger = options.logger ?? new Logger({ serviceName: options.serviceName });
    this.metrics =
      options.metrics ??
      new Metrics({ serviceName: options.serviceName, namespace: options.namespace, logger: this.logger });
    this.tracer = options.tracer;
  }

  metric(name: string, value: number, unit: MetricUnit, dimensions?: Record<string, string>): void {
    try {
      const powertoolsUnit = UNITS[unit];
      if (powertoolsUnit === undefined) throw new RangeError(`unknown unit ${String(unit)}`);
      // Powertools lets NaN and Infinity through, and they serialise as null, which CloudWatch rejects.
      if (!Number.isFinite(value)) throw new RangeError(`${String(value)} is not a valid number`);
      if (dimensions && Object.keys(dimensions).length > 0) {
        // A stored batch shares one dimension set, so a metric with its own dimensions is published on its own, at once.
        const single = this.metrics.singleMetric();
        single.addDimensions(dimensions);
        single.addMetric(name, powertoolsUnit, value);
      } else {
        this.metrics.addMetric(name, powertoolsUnit, value);
      }
    } catch (error) {
      this.logger.warn('PowertoolsTelemetry: metric dropped', {
        metric: String(name),
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }

  async span<T>(name: string, fn: () => Promise<T>, attributes?: Record<string, string | number>): Promise<T> {
    const tracer = this.tracer;
    if (!tracer?.isTracingEnabled()) return fn();
    let started = false;
    try {
      return await (tracer.provider.captureAsyncFunc(`### ${name}`, async (subsegment) => {
        started = true;
        try {
          this.annotate(subsegment, name, attributes);
          return await fn();
        } catch (error) {
          subsegment?.addError(error instanceof Error ? error : new Error(String(error)));
          throw error;
        } finally {
          this.close(subsegment);
        }
      }) as Promise<T>);
    } catch (error) {
      if (started) throw error;
      this.logger.warn('PowertoolsTelemetry: span not traced', {
        span: name,
        reason: error instanceof Error ? error.message : String(error),
      });
      return fn();
    }
  }

  warn(message: string, fields: Record<string, unknown> = {}): void {
    this.log('warn', message, fields);
  }

  error(message: string, fields: Record<string, unknown> = {}): void {
    this.log('error', message, fields);
  }

  /** Publishes the buffered metrics as one EMF document; nothing is written when none are buffered. */
  flush(): void {
    try {
      if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
    } catch (error) {
      this.logger.warn('PowertoolsTelemetry: metrics not published', {
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** Annotations are best effort: attributes that cannot be read lose the annotations, never the span's work. */
  private annotate(
    subsegment: { addAnnotation(key: string, value: string | number): void } | undefined,
    span: string,
    attributes?: Record<string, string | number>,
  ): void {
    try {
      for (const [key, value] of Object.entries(attributes ?? {})) subsegment?.addAnnotation(key, value);
    } catch (error) {
      this.logger.warn('PowertoolsTelemetry: span attributes not recorded', {
        span,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private close(subsegment: { close(): void; name: string } | undefined): void {
    try {
      subsegment?.close();
    } catch (error) {
      this.logger.warn('PowertoolsTelemetry: subsegment not closed', {
        span: subsegment?.name,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private log(level: 'warn' | 'error', message: string, fields: Record<string, unknown>): void {
    try {
      this.logger[level](String(message), fields);
    } catch {
      // A log line that cannot be serialised must not fail the caller; the bare message is all that is left to say.
      this.logger[level](String(message));
    }
  }
}
