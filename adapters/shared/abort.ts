import { AbortedError } from '../../core/errors.js';

/** The AbortedError an adapter reports when its caller gave up, named after the adapter. */
export function abortedBy(adapter: string, signal: AbortSignal | undefined): AbortedError {
  return new AbortedError(`${adapter}: request aborted by caller`, { cause: signal?.reason });
}

/** Throws AbortedError, named after the adapter, when the caller has already given up; call it before any I/O. */
export function rejectIfAborted(adapter: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedBy(adapter, signal);
}

/**
 * Settles with `work`, or rejects with AbortedError as soon as the caller's signal fires, for clients that take no
 * signal of their own: the caller stops waiting, though the client may still finish the request in the background.
 */
export async function untilAborted<T>(
  adapter: string,
  signal: AbortSignal | undefined,
  work: () => Promise<T>,
): Promise<T> {
  rejectIfAborted(adapter, signal);
  if (!signal) return work();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortedBy(adapter, signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work(), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
