import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../../core/errors.js';
import { rejectIfAborted, untilAborted } from '../../../adapters/shared/abort.js';

describe('untilAborted', () => {
  it('never starts the work when the caller has already aborted', async () => {
    let started = false;
    const work = async () => {
      started = true;
    };
    await expect(untilAborted('svc', AbortSignal.abort(), work)).rejects.toBeInstanceOf(AbortedError);
    expect(started).toBe(false);
    expect(() => rejectIfAborted('svc', AbortSignal.abort())).toThrow(/^svc: request aborted by caller$/);
  });

  it('stops waiting as soon as the signal fires, and settles with the work otherwise', async () => {
    const controller = new AbortController();
    const pending = untilAborted('svc', controller.signal, () => new Promise<never>(() => undefined));
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    await expect(untilAborted('svc', new AbortController().signal, async () => 42)).resolves.toBe(42);
    await expect(untilAborted('svc', undefined, async () => 'no signal')).resolves.toBe('no signal');
  });
});
