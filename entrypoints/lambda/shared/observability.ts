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
 * Built once per cold start at module scope. The tracer also captures every outgoing HTTP(S) request (so each SDK
 * call is a subsegment, whichever adapter made it) when tracing is on, which Powertools decides from the Lambda
 * environment (POWERTOOLS_TRACE_ENABLED=false turns it off).
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
  return { logger, metrics, tracer, telemetry: new PowertoolsTelemetry({ serviceName: options.serviceName, namespace: options.namespace, logger, metrics, tracer }) };
}
