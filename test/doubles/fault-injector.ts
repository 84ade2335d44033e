import { AbortedError, CoreError, ErrorCodes } from '../../core/errors.js';

/**
 * What happens to a call of one method. Faults combine: latency first, then an error, a timeout or a hang.
 * `times` limits the fault to the next n calls; after that the method behaves normally again.
 */
export interface Fault {
  /** Delay before the real call (or before the failure). */
  latencyMs?: number;
  /** Thrown instead of calling the real method; a function builds a fresh error per call. */
  error?: Error | (() => Error);
  /** Waits this long, then fails with a retryable TIMEOUT CoreError, as a client-side timeout of an adapter would. */
  timeoutMs?: number;
  /** Never settles, except by the AbortSignal in the call's options object. */
  hang?: boolean;
  times?: number;
}

export interface FaultInjector<T extends object> {
  /** The wrapped port: use it wherever the original would go. */
  readonly port: T;
  /** Sets (replacing) the fault of `method`; takes effect on the next call. */
  set(method: MethodOf<T>, fault: Fault): this;
  clear(method?: MethodOf<T>): this;
  /** Calls per method, faulted or not. */
  calls(method: MethodOf<T>): number;
  /** Calls per method that were failed or delayed by a fault. */
  faulted(method: MethodOf<T>): number;
}

export type MethodOf<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T] & string;

/**
 * Wraps any port object in a Proxy whose methods can be made slow, failing, timing out or hanging per method at run
 * time. Methods returning an async iterable (streams) get the fault before their first item.
 */
export function injectFaults<T extends object>(target: T): FaultInjector<T> {
  const faults = new Map<string, Fault>();
  const callCounts = new Map<string, number>();
  const faultCounts = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

  const takeFault = (method: string): Fault | undefined => {
    const fault = faults.get(method);
    if (!fault) return undefined;
    if (fault.times !== undefined) {
      if (fault.times <= 1) faults.delete(method);
      else faults.set(method, { ...fault, times: fault.times - 1 });
    }
    bump(faultCounts, method);
    return fault;
  };

  const port = new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        bump(callCounts, property);
        const fault = takeFault(property);
        const call = () => (value as (...a: unknown[]) => unknown).apply(object, args);
        if (!fault) return call();
        const signal = signalOf(args[0]);
        if (isAsyncGeneratorFunction(value)) return faultedStream(fault, signal, call as () => AsyncIterable<unknown>);
        return applyFault(fault, signal).then(call);
      };
    },
  });

  const injector: FaultInjector<T> = {
    port,
    set(method, fault) {
      faults.set(method, fault);
      return injector;
    },
    clear(method) {
      if (method === undefined) faults.clear();
      else faults.delete(method);
      return injector;
    },
    calls: (method) => callCounts.get(method) ?? 0,
    faulted: (method) => faultCounts.get(method) ?? 0,
  };
  return injector;
}

async function applyFault(fault: Fault, signal: AbortSignal | undefined): Promise<void> {
  if (fault.latencyMs) await sleep(fault.latencyMs, signal);
  if (fault.error) throw typeof fault.error === 'function' ? fault.error() : fault.error;
  if (fault.timeoutMs !== undefined) {
    await sleep(fault.timeoutMs, signal);
    throw new CoreError(ErrorCodes.TIMEOUT, `no answer within ${fault.timeoutMs} ms (injected)`, { retryable: true });
  }
  if (fault.hang) await new Promise<never>((_resolve, reject) => onAbort(signal, reject));
}

async function* faultedStream(
  fault: Fault,
  signal: AbortSignal | undefined,
  call: () => AsyncIterable<unknown>,
): AsyncIterable<unknown> {
  await applyFault(fault, signal);
  yield* call();
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    onAbort(signal, (error) => {
      clearTimeout(timer);
      reject(error); // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors -- always an AbortedError, typed unknown by onAbort
    });
  });
}

function onAbort(signal: AbortSignal | undefined, reject: (error: unknown) => void): void {
  if (!signal) return;
  const abort = () => reject(new AbortedError('aborted while a fault was in effect', { cause: signal.reason }));
  if (signal.aborted) abort();
  else signal.addEventListener('abort', abort, { once: true });
}

/** Ports take one options object carrying `signal` (ARCHITECTURE.md), so the first argument is where to look. */
function signalOf(first: unknown): AbortSignal | undefined {
  if (typeof first !== 'object' || first === null) return undefined;
  const signal = (first as { signal?: unknown }).signal;
  return signal instanceof AbortSignal ? signal : undefined;
}

function isAsyncGeneratorFunction(value: unknown): boolean {
  return typeof value === 'function' && value.constructor?.name === 'AsyncGeneratorFunction';
}
