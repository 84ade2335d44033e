import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { PowertoolsTelemetry } from '../../../adapters/aws/powertools-telemetry.js';

/** One function's Powertools trio and the Telemetry port over them; the core's spans and metrics land in the same. */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
  telemetry: PowertoolsTelemetry;
}

export interface ObservabilityOptions {
  serviceName: string;
  namespace: string;
  /** Dimension of every metric of this function (`function`), so dashboards can tell the API from the consumer. */
  functionName: string;
}

/**
 * Built once per cold start at module scope. Tracing is on in Lambda (POWERTOOLS_TRACE_ENABLED=false turns it off).
 * Clients the composition root holds are wrapped with `tracer.captureAWSv3Client`; Powertools' global HTTP capture
 * is asked for too, but an ESM bundle's SDK imports `http` by name and is not reached by it (measured), so calls of
 * clients made inside adapters show only within their step's subsegment.
 */
export function createObservability(options: ObservabilityOptions): Observability {
  const logger = new Logger({ serviceName: options.serviceName });
  const metrics = new Metrics({
    serviceName: options.serviceName,
    namespace: options.namespace,
    logger,
    defaultDimensions: { function: options.functionName },
  });
  const tracer = new Tracer({ serviceName: options.serviceName, captureHTTPsRequests: true });
  return {
    logger,
    metrics,
    tracer,
    telemetry: new PowertoolsTelemetry({
      serviceName: options.serviceName,
      namespace: options.namespace,
      logger,
      metrics,
      tracer,
    }),
  };
}
