import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { limitRequestRate, spokenSeconds } from '../../entrypoints/http/plugins/request-rate-limit.js';
import { HttpProblem, installProblemHandlers } from '../../entrypoints/http/problem.js';

/** What the API answers about the limit: status, the limiter's headers and the problem (less its request id). */
async function answer(app: FastifyInstance, user: string) {
  const response = await app.inject({ method: 'GET', url: '/v1/thing', headers: { 'x-user': user } });
  const { requestId: _requestId, ...body } = response.json<Record<string, unknown>>();
  return {
    status: response.statusCode,
    headers: Object.fromEntries(
      Object.entries(response.headers).filter(([name]) => name.startsWith('x-ratelimit-') || name === 'retry-after'),
    ),
    body,
  };
}

/** A /v1 scope as buildApp makes it: the caller known first (here from a header), then the limiter, then a route. */
async function appWith(limiter: 'plugin' | 'hook', options: { max: number; timeWindowMs: number; keys: number }) {
  const app = Fastify();
  installProblemHandlers(app);
  await app.register(
    async (v1) => {
      v1.addHook('onRequest', (request, _reply, done) => {
        (request as unknown as { user: string }).user = String(request.headers['x-user']);
        done();
      });
      const keyOf = (request: unknown) => `user:${(request as { user: string }).user}`;
      if (limiter === 'plugin') {
        // What buildApp registered before: @fastify/rate-limit with its local store.
        await v1.register(rateLimit, {
          max: options.max,
          timeWindow: options.timeWindowMs,
          cache: options.keys,
          keyGenerator: keyOf,
          errorResponseBuilder: (_request, context) =>
            new HttpProblem(429, 'RATE_LIMITED', `Too many requests; retry in ${context.after}.`, {
              retryAfterSeconds: Math.ceil(context.ttl / 1000),
            }),
        });
      } else {
        limitRequestRate(v1, { max: options.max, timeWindowMs: options.timeWindowMs, maxKeys: options.keys, keyOf });
      }
      v1.get('/thing', async () => ({ ok: true }));
    },
    { prefix: '/v1' },
  );
  return app;
}

describe('request rate limit', () => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('answers as @fastify/rate-limit did: counts, windows, headers, 429 problems and forgetting the oldest key', async () => {
    // Prepare: both limiters read Date.now, which the fake clock moves.
    vi.useFakeTimers({ toFake: ['Date'], now: 1_700_000_000_000 });
    const options = { max: 3, timeWindowMs: 90_000, keys: 3 };
    const plugin = await appWith('plugin', options);
    const hook = await appWith('hook', options);
    apps.push(plugin, hook);
    // Within a window, past the limit, across a window's end, partway through one, and more users than keys kept
    // (the least recently seen is forgotten and starts afresh).
    const script: [user: string, advanceMs: number][] = [
      ['alice', 0],
      ['alice', 1_000],
      ['bob', 0],
      ['alice', 29_500],
      ['alice', 0],
      ['alice', 30_000],
      ['bob', 0],
      ['alice', 29_400],
      ['alice', 700],
      ['alice', 0],
      ['carol', 0],
      ['dave', 0],
      ['erin', 0],
      ['alice', 0],
      ['alice', 0],
      ['alice', 0],
      ['alice', 0],
      ['bob', 0],
      ['dave', 59_999],
      ['dave', 0],
      ['dave', 0],
      ['dave', 1],
      // Every window over: three new keys, the first seen again, then a fourth: the one least recently seen (quinn)
      // is forgotten, not the first inserted (pat), whose count goes on.
      ['pat', 100_000],
      ['quinn', 0],
      ['robin', 0],
      ['pat', 0],
      ['sam', 0],
      ['pat', 0],
      ['quinn', 0],
    ];

    // Act
    const answers = [];
    for (const [user, advanceMs] of script) {
      vi.setSystemTime(Date.now() + advanceMs);
      answers.push({ user, plugin: await answer(plugin, user), hook: await answer(hook, user) });
    }

    // Assess
    for (const [index, { user, plugin: expected, hook: actual }] of answers.entries())
      expect(actual, `request ${index} (${user})`).toEqual(expected);
    const statuses = answers.map(({ hook: { status } }) => status);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(3);
    expect(answers[4]!.hook).toMatchObject({
      status: 429,
      headers: { 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '0', 'retry-after': '60' },
      body: { code: 'RATE_LIMITED', detail: 'Too many requests; retry in 1 minute.' },
    });
    expect(answers.slice(-2).map(({ hook }) => hook.headers['x-ratelimit-remaining'])).toEqual(['0', '2']);
    expect(answers[0]!.hook.headers).toEqual({
      'x-ratelimit-limit': '3',
      'x-ratelimit-remaining': '2',
      'x-ratelimit-reset': '90',
    });
  });

  it('words the wait in whole units as the plugin did', () => {
    expect([1, 2, 59, 60, 89, 90, 3599, 3600, 86_399, 86_400, 31_557_600].map(spokenSeconds)).toEqual([
      '1 second',
      '2 seconds',
      '59 seconds',
      '1 minute',
      '1 minute',
      '2 minutes',
      '60 minutes',
      '1 hour',
      '24 hours',
      '1 day',
      '1 year',
    ]);
  });
});
