import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  CoreError,
  DependencyUnavailableError,
  ErrorCodes,
  ValidationError,
} from '../../../core/errors.js';
import {
  describeFailure,
  httpStatusError,
  parseRetryAfter,
  startServiceCall,
  translateServiceError,
  type ServiceErrorPolicy,
} from '../../../adapters/shared/service-errors.js';

const policy: ServiceErrorPolicy = {
  adapter: 'svc',
  unavailable: new Set(['ThrottlingException']),
  invalid: new Set(['ValidationException']),
  hints: { ResourceNotFoundException: 'check the bot id' },
};
const internal: ServiceErrorPolicy = { ...policy, refusal: 'internal' };
const sdkError = (name: string, fault: 'client' | 'server', status: number) =>
  Object.assign(new Error('service text with arn:aws:secret'), {
    name,
    $fault: fault,
    $metadata: { httpStatusCode: status },
  });

describe('translateServiceError', () => {
  it('reports the caller abort as AbortedError before anything else', () => {
    const signal = AbortSignal.abort(new Error('gone'));
    const error = translateServiceError(policy, sdkError('ThrottlingException', 'client', 400), { signal });
    expect(error).toBeInstanceOf(AbortedError);
    expect(error.code).toBe(ErrorCodes.ABORTED);
  });

  it('reports its own time limit as a retryable outage', () => {
    const error = translateServiceError(policy, new Error('x'), { timedOut: true, timeoutMs: 250 });
    expect(error).toMatchObject({ code: ErrorCodes.DEPENDENCY_UNAVAILABLE, retryable: true });
    expect(error.message).toContain('250 ms');
  });

  it.each([
    ['a throttling name', sdkError('ThrottlingException', 'client', 400)],
    ['a server fault', sdkError('InternalFailure', 'server', 500)],
    ['HTTP 429', { name: 'TooMany', status: 429 }],
    ['HTTP 503', { name: 'Unavailable', status: 503 }],
    ['a refused connection', Object.assign(new Error('connect'), { cause: { code: 'ECONNREFUSED' } })],
    ['no answer at all', new Error('socket hang up')],
  ])('maps %s to a retryable DependencyUnavailableError with a retry hint', (_label, raised) => {
    const error = translateServiceError(policy, raised);
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ retryable: true, retryAfterSeconds: 1, cause: raised });
    expect(error.message).not.toContain('arn:aws');
  });

  it('maps a 4xx refusal to a non-retryable error, with the hint for deployment errors', () => {
    const missing = translateServiceError(policy, sdkError('ResourceNotFoundException', 'client', 404));
    expect(missing).toMatchObject({ code: ErrorCodes.DEPENDENCY_UNAVAILABLE, retryable: false });
    expect(missing.message).toContain('check the bot id');
    const refused = translateServiceError(internal, sdkError('SomethingOdd', 'client', 400));
    expect(refused).toMatchObject({ code: ErrorCodes.INTERNAL, retryable: false });
  });

  it('maps names of a wrong request to ValidationError and passes core errors through', () => {
    expect(translateServiceError(policy, sdkError('ValidationException', 'client', 400))).toBeInstanceOf(
      ValidationError,
    );
    const core = new CoreError(ErrorCodes.NOT_FOUND, 'kept');
    expect(translateServiceError(policy, core)).toBe(core);
  });

  it('names the operation in the message when given', () => {
    expect(
      translateServiceError(policy, sdkError('ThrottlingException', 'client', 400), { operation: 'get item' }).message,
    ).toBe('svc: get item: ThrottlingException');
  });
});

describe('httpStatusError', () => {
  it('passes 408, 429 and 5xx with the Retry-After hint, and refuses other statuses without retry', () => {
    expect(httpStatusError(internal, 429, ' from /x', 7)).toMatchObject({ retryable: true, retryAfterSeconds: 7 });
    expect(httpStatusError(internal, 408, '')).toMatchObject({ retryable: true });
    expect(httpStatusError(internal, 500, '')).toMatchObject({ retryable: true, details: { status: 500 } });
    const refused = httpStatusError(internal, 400, ' from /x: bad');
    expect(refused).toMatchObject({ code: ErrorCodes.INTERNAL, retryable: false });
    expect(refused.message).toBe('svc: HTTP 400 from /x: bad');
  });

  it('builds the adapter own error type when the policy gives one', () => {
    class ModelDown extends CoreError {}
    const custom = {
      ...internal,
      unavailableError: (detail: string) => new ModelDown(ErrorCodes.LLM_UNAVAILABLE, detail),
    };
    expect(httpStatusError(custom, 503, '')).toBeInstanceOf(ModelDown);
  });
});

describe('describeFailure', () => {
  it('finds a network code inside an AggregateError', () => {
    const error = new AggregateError([Object.assign(new Error('v6'), { code: 'ENETUNREACH' })], 'connect');
    expect(describeFailure(error)).toMatchObject({ networkCode: 'ENETUNREACH' });
  });
});

describe('startServiceCall', () => {
  it('fails at once, sending nothing, when the caller has already aborted', () => {
    expect(() => startServiceCall(policy, AbortSignal.abort(), 1000)).toThrow(AbortedError);
  });

  it('hands out a signal that fires with the caller', () => {
    const controller = new AbortController();
    const call = startServiceCall(policy, controller.signal, 60_000);
    controller.abort();
    expect(call.signal.aborted).toBe(true);
    expect(call.fail(new Error('aborted'))).toBeInstanceOf(AbortedError);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds or an HTTP date counted from the given time', () => {
    const now = Date.parse('2026-03-01T10:00:00Z');
    expect(parseRetryAfter('12', now)).toBe(12);
    expect(parseRetryAfter('Sun, 01 Mar 2026 10:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Sun, 01 Mar 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
