import { AbortedError, isCoreError, ValidationError, type CoreError, type CoreErrorOptions } from '../../core/errors.js';

/** How one adapter reads its service's errors; the speech adapters agree on the rules and differ in the names. */
export interface ServiceErrorPolicy {
  /** Prefixes every message, e.g. `polly`. */
  adapter: string;
  /** Error names that mean "not now": the caller may retry. */
  unavailable: ReadonlySet<string>;
  /** Error names that mean the request itself is wrong: retrying cannot help. */
  invalid: ReadonlySet<string>;
  /** Short advice for errors of the deployment (missing bot, missing permission), by error name. */
  hints?: Readonly<Record<string, string>>;
  /** The adapter's error for a service it cannot use, from a detail without the adapter prefix; `retryable` says whether it may work later. */
  unavailableError(detail: string, options: CoreErrorOptions): CoreError;
}

/** One call to an AWS service: the signal to hand the SDK, and the translation of whatever it throws. */
export interface ServiceCall {
  /** Fires when the caller aborts or the call outlives its time limit. */
  readonly signal: AbortSignal;
  /** The core error for `error`, keeping it as `cause`. */
  fail(error: unknown): CoreError;
}

/** Throws AbortedError, named after the adapter, when the caller has already given up. */
export function rejectIfAborted(adapter: string, caller: AbortSignal | undefined): void {
  if (caller?.aborted) throw new AbortedError(`${adapter}: request aborted by caller`, { cause: caller.reason });
}

/** Starts a call with a time limit, failing at once if the caller has already given up. */
export function startServiceCall(policy: ServiceErrorPolicy, caller: AbortSignal | undefined, timeoutMs: number): ServiceCall {
  rejectIfAborted(policy.adapter, caller);
  const timeout = AbortSignal.timeout(timeoutMs);
  return {
    signal: caller ? AbortSignal.any([caller, timeout]) : timeout,
    fail: (error) => translate(policy, error, caller, timeout, timeoutMs),
  };
}

function translate(policy: ServiceErrorPolicy, error: unknown, caller: AbortSignal | undefined, timeout: AbortSignal, timeoutMs: number): CoreError {
  const { adapter } = policy;
  if (caller?.aborted) return new AbortedError(`${adapter}: request aborted by caller`, { cause: caller.reason });
  if (timeout.aborted) return policy.unavailableError(`no answer within ${timeoutMs} ms`, { cause: error, retryable: true });
  if (isCoreError(error)) return error;
  const { name = 'Error', $fault, $metadata } = (error ?? {}) as { name?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const details = { errorType: name, httpStatusCode: $metadata?.httpStatusCode };
  // Service messages can quote ARNs and account ids; they stay in `cause`, out of the message users may see.
  const hint = policy.hints?.[name];
  if (policy.invalid.has(name)) return new ValidationError(`${adapter}: the service rejected the request (${name})`, { cause: error, details });
  if (policy.unavailable.has(name) || $fault === 'server') {
    return policy.unavailableError(`${name}${hint ? `: ${hint}` : ''}`, { cause: error, retryable: true, details });
  }
  if ($fault === 'client') {
    return policy.unavailableError(`${name}: ${hint ?? 'the service refused the request; check the configuration'}`, { cause: error, retryable: false, details });
  }
  // No service answer at all: the connection failed, the SDK timed out, or the response broke off.
  return policy.unavailableError(`request failed (${name})`, { cause: error, retryable: true, details });
}
