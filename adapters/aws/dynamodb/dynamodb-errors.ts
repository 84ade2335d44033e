import type { CoreError } from '../../../core/errors.js';
import { rejectIfAborted as rejectAborted } from '../../shared/abort.js';
import { translateServiceError, type ServiceErrorPolicy } from '../../shared/service-errors.js';

const SERVICE = 'dynamodb';
const CHECK_DEPLOYMENT = "check the table name and the role's permissions";

/**
 * DynamoDB's reading of the shared rules: throttling and server trouble pass by themselves; a wrong table or wrong
 * credentials need someone to change the deployment; anything else it refuses (ValidationException, say) means this
 * adapter sent something DynamoDB cannot take, a bug rather than an outage.
 */
const DYNAMODB_ERRORS: ServiceErrorPolicy = {
  adapter: SERVICE,
  unavailable: new Set([
    'ProvisionedThroughputExceededException',
    'ThrottlingException',
    'RequestLimitExceeded',
    'InternalServerError',
    'ServiceUnavailable',
    'TimeoutError',
  ]),
  hints: Object.fromEntries(
    [
      'ResourceNotFoundException',
      'AccessDeniedException',
      'UnrecognizedClientException',
      'InvalidSignatureException',
      'MissingAuthenticationTokenException',
      'ExpiredTokenException',
    ].map((name) => [name, CHECK_DEPLOYMENT]),
  ),
  refusal: 'internal',
};

export function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { name?: string }).name : undefined;
}

/** Translates an SDK or socket failure into the core's errors, keeping the original as `cause`. */
export function dynamoDbError(operation: string, error: unknown, signal?: AbortSignal): CoreError {
  const translated = translateServiceError(DYNAMODB_ERRORS, error, { signal, operation });
  if (translated === error) return translated;
  // Operators search logs by operation and AWS error name; keep both beside the shared details.
  const { details } = translated;
  return Object.assign(translated, {
    details: { ...details, operation, ...(details?.['errorType'] !== undefined && { awsError: details['errorType'] }) },
  });
}

/** Throws AbortedError before a call when the caller has already given up, so nothing is sent. */
export function rejectIfAborted(_operation: string, signal: AbortSignal | undefined): void {
  rejectAborted(SERVICE, signal);
}

/** Runs one DynamoDB call unless the caller has given up, translating whatever it throws. */
export async function guarded<T>(operation: string, run: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  rejectAborted(SERVICE, signal);
  try {
    return await run();
  } catch (error) {
    throw dynamoDbError(operation, error, signal);
  }
}
