import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { TracerOptions } from '@aws-lambda-powertools/tracer/types';

/** Wraps an AWS SDK v3 client so that each of its calls is a subsegment, or hands it back as it is. */
export type CaptureClient = <C>(client: C) => C;

/** Hands every client back untouched: where nothing is traced. */
export const uncaptured: CaptureClient = (client) => client;

/**
 * Whether Powertools could trace here, by its own rule (Tracer#setTracingEnabled): only in a Lambda execution
 * environment (AWS_EXECUTION_ENV), not under SAM local or Amplify's mock, and not with POWERTOOLS_TRACE_ENABLED=false.
 */
export function tracingPossible(env: Record<string, string | undefined> = process.env): boolean {
  if ((env.POWERTOOLS_TRACE_ENABLED ?? '').toLowerCase() === 'false') return false;
  const executionEnv = env.AWS_EXECUTION_ENV ?? '';
  return executionEnv !== '' && executionEnv !== 'AWS_Lambda_amplify-mock' && !env.AWS_SAM_LOCAL;
}

/**
 * A Powertools tracer where tracing is on, else undefined: the tracer imports the X-Ray SDK (~100 KB and ~10 ms of a
 * cold start), which a function that does not trace has no use for. Powertools reads process.env itself, so this does.
 */
export async function loadTracer(options: TracerOptions): Promise<Tracer | undefined> {
  if (!tracingPossible(process.env)) return undefined;
  const { Tracer } = await import('@aws-lambda-powertools/tracer');
  const tracer = new Tracer(options);
  return tracer.isTracingEnabled() ? tracer : undefined;
}

/** The client capture of a tracer, if any. */
export function captureWith(tracer: Tracer | undefined): CaptureClient {
  return tracer ? (client) => tracer.captureAWSv3Client(client) : uncaptured;
}
