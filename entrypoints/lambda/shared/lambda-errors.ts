import { ErrorCodes, isCoreError, ValidationError } from '../../../core/errors.js';

/**
 * The error a handler lets the runtime report: its `name` becomes the `errorType` the Runtime API receives, which is
 * what Step Functions `Retry`/`Catch` and CloudWatch match on — `Assistant.<CODE>` plus `.Retryable` when trying again
 * may help. The message is the core's (adapters keep service details in `cause`); unknown errors say nothing inside.
 */
export class LambdaFunctionError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = errorType;
  }
}

/** The one mapping from whatever a handler threw to what the runtime reports. */
export function toLambdaError(error: unknown): LambdaFunctionError {
  if (error instanceof LambdaFunctionError) return error;
  if (isCoreError(error)) {
    return new LambdaFunctionError(
      `Assistant.${error.code}${error.retryable ? '.Retryable' : ''}`,
      error.message,
      error.retryable,
      { cause: error },
    );
  }
  return new LambdaFunctionError(
    `Assistant.${ErrorCodes.INTERNAL}.Retryable`,
    'internal error (see the function log for the request id)',
    true,
    { cause: error },
  );
}

/** A payload the function cannot accept: the caller (an event source, a state machine) sent the wrong shape. */
export function invalidEvent(what: string, problems: readonly string[]): ValidationError {
  const listed = problems.slice(0, 5).join('; ');
  return new ValidationError(`${what}: ${listed}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`, {
    details: { problems },
  });
}

/** Fields for one log line about an error, the cause chain's messages included. */
export function errorFields(error: unknown): Record<string, unknown> {
  const chain: string[] = [];
  for (let current: unknown = error; current instanceof Error && chain.length < 4; current = current.cause)
    chain.push(`${current.name}: ${current.message}`);
  return {
    errorType: toLambdaError(error).errorType,
    error: chain.length > 0 ? chain.join(' <- ') : String(error),
  };
}
