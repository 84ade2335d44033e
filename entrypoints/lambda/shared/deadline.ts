import type { Context } from 'aws-lambda';

/**
 * Runs `work` with a signal that fires `marginMs` before the invocation's deadline (which the runtime derives from
 * the Runtime API's deadline header), and answers `onDeadline()` at that moment instead of letting Lambda cut the
 * function off mid-write with no answer at all. The work is aborted; its later result is ignored.
 */
export async function beforeDeadline<R>(
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  marginMs: number,
  work: (signal: AbortSignal) => Promise<R>,
  onDeadline: () => R,
): Promise<R> {
  const controller = new AbortController();
  const budget = Math.max(0, context.getRemainingTimeInMillis() - marginMs);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<R>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`no answer within ${budget} ms of the invocation's deadline`));
      resolve(onDeadline());
    }, budget);
  });
  try {
    return await Promise.race([work(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
