import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { PowertoolsTelemetry } from '../../../adapters/aws/powertools-telemetry.js';
import { captureWith, loadTracer, type CaptureClient } from './tracing.js';

/** One function's Powertools trio and the Telemetry port over them; the core's spans and metrics land in the same. */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
  /** The function's tracer, or undefined where nothing is traced (then X-Ray's SDK is not even loaded). */
  tracer: Tracer | undefined;
  telemetry: PowertoolsTelemetry;
  /** What every AWS SDK client the function creates passes through: a subsegment per call when tracing is on. */
  captureClient: CaptureClient;
}

export interface ObservabilityOptions {
  serviceName: string;
  namespace: string;
  /** Dimension of every metric of this function (`function`), so dashboards can tell the API from the consumer. */
  functionName: string;
}

/**
 * Built once per cold start at module scope. Tracing is on in Lambda (POWERTOOLS_TRACE_ENABLED=false turns it off),
 * and only then is the tracer, with the X-Ray SDK under it, imported. Every SDK client of the functions is wrapped with
 * `tracer.captureAWSv3Client` through `captureClient` (the composition passes it each client it creates); Powertools'
 * global HTTP capture is asked for too, but an ESM bundle's SDK imports `http` by name and is not reached by it.
 */
export async function createObservability(options: ObservabilityOptions): Promise<Observability> {
  const logger = new Logger({ serviceName: options.serviceName });
  const metrics = new Metrics({
    serviceName: options.serviceName,
    namespace: options.namespace,
    logger,
    defaultDimensions: { function: options.functionName },
  });
  const tracer = await loadTracer({ serviceName: options.serviceName, captureHTTPsRequests: true });
  return {
    logger,
    metrics,
    tracer,
    telemetry: new PowertoolsTelemetry({
      serviceName: options.serviceName,
      namespace: options.namespace,
      logger,
      metrics,
      ...(tracer && { tracer }),
    }),
    captureClient: captureWith(tracer),
  };
}
