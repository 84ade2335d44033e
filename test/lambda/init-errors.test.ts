import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { locateNode22 } from '../fakes/lambda/node22.js';
import { bundleForTest, deployFunction } from './support/deployed-function.js';

const node22 = await locateNode22();

/** A function whose configuration is wrong fails its init on the runtime, listing every problem, before any request. */
describe.skipIf('skip' in node22)('function init on the runtime (aws-lambda-ric on Node 22)', () => {
  let api: Awaited<ReturnType<typeof bundleForTest>>;
  let events: Awaited<ReturnType<typeof bundleForTest>>;
  beforeAll(async () => {
    [api, events] = await Promise.all([bundleForTest('api'), bundleForTest('events')]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([api?.remove(), events?.remove()]);
  });

  it('reports an API function configured with adapters a bundle does not carry on /init/error, naming each', async () => {
    const fn = await deployFunction({
      node: (node22 as { path: string }).path,
      bundle: api,
      functionName: 'bad-api',
      env: {
        ASSISTANT_PROFILE: 'aws',
        CONVERSATION_STORE: 'sqlite',
        TTS: 'espeak',
        AUTH: 'local',
        EVENTS: 'eventbridge',
        IDEMPOTENCY_TTL_SECONDS: '5',
      },
    });
    try {
      const error = await fn.runtimeApi.initError;
      expect(error.errorType).toBe('ConfigError');
      for (const variable of [
        'CONVERSATION_STORE=sqlite',
        'TTS=espeak',
        'AUTH_SECRET is required',
        'IDEMPOTENCY_TTL_SECONDS="5"',
      ]) {
        expect(error.errorMessage).toContain(variable);
      }
      await expect(fn.client.exited).resolves.not.toBe(0);
      expect(fn.runtimeApi.polls).toBe(0);
    } finally {
      await fn.stop();
    }
  });

  it('reports an event consumer without its alert topic on /init/error', async () => {
    const fn = await deployFunction({
      node: (node22 as { path: string }).path,
      bundle: events,
      functionName: 'bad-events',
      env: { ASSISTANT_PROFILE: 'aws' },
    });
    try {
      await expect(fn.runtimeApi.initError).resolves.toMatchObject({
        errorType: 'ConfigError',
        errorMessage: expect.stringContaining('ALERT_TOPIC_ARN is required'),
      });
    } finally {
      await fn.stop();
    }
  });
});
