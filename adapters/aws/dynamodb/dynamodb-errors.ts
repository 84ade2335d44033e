import { AbortedError, CoreError, DependencyUnavailableError, ErrorCodes, isCoreError } from '../../../core/errors.js';

const SERVICE = 'dynamodb';

/** Service-side conditions that pass by themselves: waiting and retrying is the right answer. */
const TRANSIENT = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);

/** The table or the credentials are wrong: retrying cannot help until someone changes the deployment. */
const MISCONFIGURED = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'ExpiredTokenException',
]);

/** Socket-level failures, which the SDK raises as plain Node errors: the endpoint is down or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED',
]);

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  cause?: unknown;
  errors?: unknown[];
  $metadata?: { httpStatusCode?: number };
}

export function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as AwsLikeError).name : undefined;
}

function networkCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 3) return undefined;
  const { code, cause, errors } = error as AwsLikeError;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
  // Node reports a refused dual-stack connect as an AggregateError of per-address failures.
  for (const inner of [cause, ...(Array.isArray(errors) ? errors : [])]) {
    const found = networkCode(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Translates an SDK or socket failure into the core's errors, keeping the original as `cause`. */
export function dynamoDbError(operation: string, error: unknown, signal?: AbortSignal): CoreError {
  if (signal?.aborted) return new AbortedError(`${SERVICE}: ${operation} aborted by caller`, { cause: signal.reason });
  if (isCoreError(error)) return error;
  const name = errorName(error) ?? 'Error';
  const status = typeof error === 'object' && error !== null ? (error as AwsLikeError).$metadata?.httpStatusCode : undefined;
  const details = { operation, awsError: name, ...(status !== undefined && { status }) };
  const network = networkCode(error);
  if (network) return new DependencyUnavailableError(SERVICE, `${operation}: cannot reach DynamoDB (${network})`, { cause: error, details });
  if (TRANSIENT.has(name) || (status !== undefined && status >= 500)) {
    return new DependencyUnavailableError(SERVICE, `${operation}: ${name}`, { cause: error, details });
  }
  if (MISCONFIGURED.has(name)) {
    return new DependencyUnavailableError(SERVICE, `${operation}: ${name} (check the table name and the role's permissions)`, {
      cause: error, details, retryable: false,
    });
  }
  // ValidationException and anything unknown mean this adapter sent something DynamoDB refuses: a bug, not an outage.
  return new CoreError(ErrorCodes.INTERNAL, `${SERVICE}: ${operation}: ${name}`, { cause: error, details });
}

/** Throws AbortedError before a call when the caller has already given up, so nothing is sent. */
export function rejectIfAborted(operation: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError(`${SERVICE}: ${operation} aborted by caller`, { cause: signal.reason });
}

/** Runs one DynamoDB call unless the caller has given up, translating whatever it throws. */
export async function guarded<T>(operation: string, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  rejectIfAborted(operation, signal);
  try {
    return await run();
  } catch (error) {
    throw dynamoDbError(operation, error, signal);
  }
}
