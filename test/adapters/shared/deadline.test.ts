import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadline } from '../../../adapters/shared/deadline.js';

describe('Deadline', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fires after its limit of silence, and re-arming restarts the wait', () => {
    const deadline = new Deadline(100);
    const signal = deadline.link(undefined);
    vi.advanceTimersByTime(90);
    deadline.arm();
    vi.advanceTimersByTime(90);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(10);
    expect(signal.aborted).toBe(true);
    expect(deadline.timedOut).toBe(true);
  });

  it('does not fire while cleared, and a caller abort or cancel is not a timeout', () => {
    const deadline = new Deadline(100);
    const caller = new AbortController();
    const signal = deadline.link(caller.signal);
    deadline.clear();
    vi.advanceTimersByTime(1000);
    expect(signal.aborted).toBe(false);
    caller.abort();
    expect(signal.aborted).toBe(true);
    expect(deadline.timedOut).toBe(false);
    const other = new Deadline(100);
    other.cancel();
    expect(other.link(undefined).aborted).toBe(true);
    expect(other.timedOut).toBe(false);
  });
});
