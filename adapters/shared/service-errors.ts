import {
  CoreError,
  DependencyUnavailableError,
  ErrorCodes,
  isCoreError,
  ValidationError,
  type CoreErrorOptions,
} from '../../core/errors.js';
import { abortedBy, rejectIfAborted } from './abort.js';

/**
 * How one adapter reads its service's errors. The rules are the same for every family: the caller's abort is
 * AbortedError; throttling, 408/429/5xx, a server fault or no answer at all is a retryable outage (with the service's
 * Retry-After as hint); a refusal of the request (4xx, client fault) is not retryable. Adapters differ in the names.
 */
export interface ServiceErrorPolicy {
  /** Prefixes every message and names the dependency, e.g. `polly`. */
  adapter: string;
  /** Error names that mean "not now": the caller may retry. */
  unavailable: ReadonlySet<string>;
  /** Error names that mean the request itself is wrong: retrying cannot help. */
  invalid?: ReadonlySet<string>;
  /** Short advice for errors of the deployment (missing bot, missing permission), by error name. */
  hints?: Readonly<Record<string, string>>;
  /**
   * What any other refusal means: `unavailable` (the default) when the deployment is wrong, `internal` when the adapter
   * itself must have sent something the service cannot take (a bug, not an outage).
   */
  refusal?: 'unavailable' | 'internal';
  /** The adapter's error for a service it cannot use; default DependencyUnavailableError named after the adapter. */
  unavailableError?: (detail: string, options: CoreErrorOptions) => CoreError;
}

/** What can be read off a failed call, whatever client raised it. */
export interface ServiceFailure {
  name: string;
  status?: number;
  fault?: 'client' | 'server';
  /** A socket-level failure (ECONNREFUSED, ...): the endpoint is down or unreachable. */
  networkCode?: string;
  retryAfterSeconds?: number;
}

/** One call to a service: the signal to hand the client, and the translation of whatever it throws. */
export interface ServiceCall {
  /** Fires when the caller aborts or the call outlives its time limit. */
  readonly signal: AbortSignal;
  /** The core error for `error`, keeping it as `cause`. */
  fail(error: unknown): CoreError;
}

export { rejectIfAborted };

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Starts a call with a time limit, failing at once if the caller has already given up. */
export function startServiceCall(
  policy: ServiceErrorPolicy,
  caller: AbortSignal | undefined,
  timeoutMs: number,
): ServiceCall {
  rejectIfAborted(policy.adapter, caller);
  const timeout = AbortSignal.timeout(timeoutMs);
  return {
    signal: caller ? AbortSignal.any([caller, timeout]) : timeout,
    fail: (error) => translateServiceError(policy, error, { signal: caller, timedOut: timeout.aborted, timeoutMs }),
  };
}

/** Reads an AWS SDK error, a Node socket error or an HTTP failure description into one shape. */
export function describeFailure(error: unknown): ServiceFailure {
  const {
    name = 'Error',
    $fault,
    $metadata,
    status,
  } = (error ?? {}) as {
    name?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
    status?: unknown;
  };
  const httpStatus = $metadata?.httpStatusCode ?? (typeof status === 'number' ? status : undefined);
  const networkCode = networkCodeOf(error);
  return {
    name,
    ...(httpStatus !== undefined && { status: httpStatus }),
    ...(($fault === 'client' || $fault === 'server') && { fault: $fault }),
    ...(networkCode && { networkCode }),
  };
}

/** The core error for a failed call; `timedOut` says the adapter's own time limit fired. */
export function translateServiceError(
  policy: ServiceErrorPolicy,
  error: unknown,
  context: { signal?: AbortSignal | undefined; timedOut?: boolean; timeoutMs?: number; operation?: string } = {},
): CoreError {
  const { adapter } = policy;
  const unavailable =
    policy.unavailableError ?? ((detail, options) => new DependencyUnavailableError(adapter, detail, options));
  const prefix = context.operation ? `${context.operation}: ` : '';
  if (context.signal?.aborted) return abortedBy(adapter, context.signal);
  if (context.timedOut)
    return unavailable(`${prefix}no answer within ${context.timeoutMs} ms`, { cause: error, retryable: true });
  if (isCoreError(error)) return error;
  const failure = describeFailure(error);
  return classify(policy, failure, unavailable, prefix, error);
}

/** The core error for an HTTP response that is not a success, for adapters that speak HTTP themselves. */
export function httpStatusError(
  policy: ServiceErrorPolicy,
  status: number,
  detail: string,
  retryAfterSeconds?: number,
): CoreError {
  const unavailable =
    policy.unavailableError ?? ((text, options) => new DependencyUnavailableError(policy.adapter, text, options));
  return classify(
    policy,
    { name: `HTTP ${status}`, status, ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) },
    unavailable,
    '',
    undefined,
    detail,
  );
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3), counted from `nowMs`. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000));
}

function classify(
  policy: ServiceErrorPolicy,
  failure: ServiceFailure,
  unavailable: (detail: string, options: CoreErrorOptions) => CoreError,
  prefix: string,
  cause: unknown,
  detail = '',
): CoreError {
  const { adapter } = policy;
  const { name, status } = failure;
  const options = {
    ...(cause !== undefined && { cause }),
    details: { errorType: name, ...(status !== undefined && { status }) },
  };
  // Service messages can quote ARNs and account ids; they stay in `cause`, out of the message users may see.
  const hint = policy.hints?.[name];
  if (policy.invalid?.has(name))
    return new ValidationError(`${adapter}: ${prefix}the service rejected the request (${name})`, options);
  if (failure.networkCode)
    return unavailable(`${prefix}cannot reach the service (${failure.networkCode})`, { ...options, retryable: true });
  const passing = status === 408 || status === 429 || (status !== undefined && status >= 500);
  if (policy.unavailable.has(name) || failure.fault === 'server' || passing) {
    return unavailable(`${prefix}${name}${hint ? `: ${hint}` : ''}${detail}`, {
      ...options,
      retryable: true,
      ...(failure.retryAfterSeconds !== undefined && { retryAfterSeconds: failure.retryAfterSeconds }),
    });
  }
  const refused = failure.fault === 'client' || (status !== undefined && status >= 400);
  if (refused && (policy.refusal ?? 'unavailable') === 'internal' && hint === undefined) {
    return new CoreError(ErrorCodes.INTERNAL, `${adapter}: ${prefix}${name}${detail}`, options);
  }
  if (refused) {
    return unavailable(
      `${prefix}${name}: ${hint ?? 'the service refused the request; check the configuration'}${detail}`,
      { ...options, retryable: false },
    );
  }
  // No service answer at all: the connection failed, the client timed out, or the response broke off.
  return unavailable(`${prefix}request failed (${name})`, { ...options, retryable: true });
}

function networkCodeOf(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 3) return undefined;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
  // Node reports a refused dual-stack connect as an AggregateError of per-address failures.
  for (const inner of [cause, ...(Array.isArray(errors) ? (errors as unknown[]) : [])]) {
    const found = networkCodeOf(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}
