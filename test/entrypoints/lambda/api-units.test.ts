import { describe, expect, it, vi } from 'vitest';
import { UnauthenticatedError } from '../../../core/errors.js';
import type { TokenVerifier } from '../../../core/ports/token-verifier.js';
import {
  AuthorizerAwareTokenVerifier,
  withAuthorizerClaims,
} from '../../../entrypoints/lambda/api/authorizer-identity.js';
import { lazyFunction, lazyMethods } from '../../../entrypoints/lambda/api/lazy-use-cases.js';
import { beforeDeadline } from '../../../entrypoints/lambda/shared/deadline.js';
import { httpApiEvent, restApiEvent } from '../../fakes/lambda/api-gateway-events.js';

describe('AuthorizerAwareTokenVerifier', () => {
  const fallback: TokenVerifier = { verify: vi.fn(async () => ({ userId: 'from-token', scopes: [] })) };
  const verifier = new AuthorizerAwareTokenVerifier(fallback);

  it.each([
    [
      'REST (v1) claims',
      restApiEvent({ method: 'GET', url: '/', claims: { sub: 'abc', scope: 'a b', 'cognito:groups': '[x y]' } }),
      ['a', 'b'],
    ],
    [
      'HTTP API (v2) JWT claims',
      httpApiEvent({ method: 'GET', url: '/', claims: { sub: 'abc', 'cognito:groups': ['admins'] } }),
      ['admins'],
    ],
  ])('takes the identity from %s without calling the token verifier', async (_case, event, scopes) => {
    vi.mocked(fallback.verify).mockClear();
    await expect(withAuthorizerClaims(event, () => verifier.verify({ token: 'anything' }))).resolves.toEqual({
      userId: 'abc',
      scopes,
    });
    expect(fallback.verify).not.toHaveBeenCalled();
  });

  it('verifies the token itself when no authorizer ran, and refuses claims without a subject', async () => {
    await expect(
      withAuthorizerClaims(httpApiEvent({ method: 'GET', url: '/' }), () => verifier.verify({ token: 't' })),
    ).resolves.toMatchObject({ userId: 'from-token' });
    await expect(
      withAuthorizerClaims(restApiEvent({ method: 'GET', url: '/', claims: { scope: 'a' } }), () =>
        verifier.verify({ token: 't' }),
      ),
    ).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it("does not leak one invocation's claims into another running at the same time", async () => {
    const [a, b] = await Promise.all([
      withAuthorizerClaims(httpApiEvent({ method: 'GET', url: '/', claims: { sub: 'a' } }), async () => {
        await new Promise((r) => setTimeout(r, 10));
        return verifier.verify({ token: 't' });
      }),
      withAuthorizerClaims(httpApiEvent({ method: 'GET', url: '/' }), () => verifier.verify({ token: 't' })),
    ]);
    expect([a.userId, b.userId]).toEqual(['a', 'from-token']);
  });
});

describe('lazy use cases', () => {
  it('resolve once, on first use, and try again after a failed resolution', async () => {
    const resolve = vi
      .fn()
      .mockRejectedValueOnce(new Error('not yet'))
      .mockResolvedValue(async (x: number) => x * 2);
    const double = lazyFunction<(x: number) => Promise<number>>(resolve);
    expect(resolve).not.toHaveBeenCalled();
    await expect(double(1)).rejects.toThrow('not yet');
    await expect(double(2)).resolves.toBe(4);
    await expect(double(3)).resolves.toBe(6);
    expect(resolve).toHaveBeenCalledTimes(2);
    const service = lazyMethods<{ get(id: string): Promise<string> }>(
      async () => ({ get: async (id) => `got ${id}` }),
      ['get'],
    );
    await expect(service.get('x')).resolves.toBe('got x');
  });
});

describe('beforeDeadline', () => {
  it('answers for the work when it hangs past the deadline minus the margin, aborting it', async () => {
    vi.useFakeTimers();
    try {
      let signal: AbortSignal | undefined;
      let answer: string | undefined;
      void beforeDeadline(
        { getRemainingTimeInMillis: () => 300 },
        200,
        (s) => {
          signal = s;
          return new Promise<string>(() => undefined);
        },
        () => 'late',
      ).then((a) => (answer = a));
      // The budget is the remaining time minus the margin: nothing at 99 ms, the fallback at 100 ms.
      await vi.advanceTimersByTimeAsync(99);
      expect(answer).toBeUndefined();
      expect(signal?.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(answer).toBe('late');
      expect(signal?.aborted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it("returns the work's answer when it comes first", async () => {
    await expect(
      beforeDeadline(
        { getRemainingTimeInMillis: () => 5000 },
        100,
        async () => 'done',
        () => 'late',
      ),
    ).resolves.toBe('done');
  });
});
