import type { Context } from 'aws-lambda';
import type { Observability } from './observability.js';
import { errorFields, toLambdaError } from './lambda-errors.js';

export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

export interface InstrumentOptions<E> {
  /** The id that ties this invocation's log lines together (API Gateway request id, ...); default the Lambda request id. */
  correlationId?: (event: E) => string | undefined;
}

/**
 * Wraps a handler in what every function of the assistant does per invocation: log lines carry the Lambda context and
 * a correlation id, the whole invocation is a `## handler` subsegment (cold start and service annotated), a thrown
 * error is logged and reported with its stable `errorType` (lambda-errors.ts), and the buffered metrics — the core's
 * and the handler's — are flushed at the end, whatever happened. Workflow task handlers reuse it as is.
 */
export function instrumented<E, R>(
  observability: Observability,
  options: InstrumentOptions<E>,
  handle: LambdaHandler<E, R>,
): LambdaHandler<E, R> {
  const { logger, metrics, tracer, telemetry } = observability;
  return async (event, context) => {
    logger.addContext(context);
    logger.setCorrelationId(options.correlationId?.(event) ?? context.awsRequestId);
    metrics.captureColdStartMetric(context.functionName);
    const parent = tracer?.isTracingEnabled() ? tracer.getSegment() : undefined;
    const segment = parent?.addNewSubsegment(`## ${context.functionName}`);
    if (tracer && segment) {
      tracer.setSegment(segment);
      tracer.annotateColdStart();
      tracer.addServiceNameAnnotation();
    }
    try {
      return await handle(event, context);
    } catch (error) {
      const reported = toLambdaError(error);
      logger.error('invocation failed', errorFields(error));
      telemetry.metric('Errors', 1, 'Count', { service: 'lambda' });
      if (segment) tracer?.addErrorAsMetadata(reported);
      throw reported;
    } finally {
      telemetry.flush();
      if (segment && parent) {
        segment.close();
        tracer?.setSegment(parent);
      }
      logger.resetKeys();
    }
  };
}
