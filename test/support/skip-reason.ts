import type { TestOptions } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** Why the block is skipped; set by `skipWhen`, read by the skip summary reporter. */
    skipReason?: string;
  }
}

/**
 * Options for `describe(name, options, body)` or `it(name, options, fn)` that skip the block when `condition` holds and
 * say why, so the skip summary at the end of the run prints the reason beside every test it skipped. Inside a running
 * test, skip with `context.skip(reason)` instead; a skip without either shows up as "no reason given".
 */
export function skipWhen(condition: unknown, reason: string): TestOptions {
  return condition ? { skip: true, meta: { skipReason: reason } } : {};
}
