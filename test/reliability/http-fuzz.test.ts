import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpeechSynthesizer, SynthesizeRequest } from '../../core/ports/speech-synthesizer.js';
import { ProblemSchema } from '../../entrypoints/http/schemas.js';
import { FixedSpeechRecognizer } from '../doubles/fixed-speech-recognizer.js';
import { createHttpHarness, silentWav, type HttpHarness } from '../http/http-harness.js';
import {
  audioData,
  idArbitrary,
  payloadArbitrary,
  requestArbitrary,
  toInject,
  type FuzzPools,
  type FuzzRequest,
} from './http-arbitraries.js';

/**
 * Generated requests against every route of the app over the test assistant (via inject, no sockets). Whatever comes
 * in, the server must never answer 5xx, never crash, and answer every 4xx with a valid RFC 9457 problem.
 * FUZZ_RUNS scales the run (default 10,000 requests in all); a failure prints the seed to replay it with FUZZ_SEED.
 */
const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const share = (fraction: number) => Math.max(1, Math.round(TOTAL_RUNS * fraction));
const ALLOWED_ORIGIN = 'https://app.example';
/** Subjects of valid tokens, odd ones included: the identity reaches stores, keys and logs as it is. */
const USERS = ['alice', 'bob', 'ünïcødé 用户', 'x'.repeat(256), 'a\u0000b', 'null', '__proto__'];

class SilentSynthesizer implements SpeechSynthesizer {
  readonly capabilities = { formats: ['wav'] as const, voices: ['nova'], defaultVoice: 'nova' };
  async synthesize(_request: SynthesizeRequest) {
    return { data: new Uint8Array(silentWav(40)), format: 'wav' as const, sampleRate: 16_000 };
  }
}

describe('HTTP fuzzing: generated requests never get a 5xx, and every 4xx is a problem', () => {
  let h: HttpHarness;
  let pools: FuzzPools;
  let tokens: string[];

  /** Fresh conversations per property: an earlier property may have deleted them (DELETE /v1/me is fair game). */
  async function freshPools(): Promise<FuzzPools> {
    const owned: { id: string; token: string }[] = [];
    for (const [index, user] of USERS.slice(0, 3).entries()) {
      for (let i = 0; i < 3; i += 1)
        owned.push({ id: (await h.assistant.service.create(user)).id, token: tokens[index]! });
    }
    return { conversationIds: owned.map((o) => o.id), tokens, owned, allowedOrigin: ALLOWED_ORIGIN };
  }

  const statuses = new Map<number, number>();
  let sent = 0;

  beforeAll(async () => {
    h = await createHttpHarness({
      assistant: { recognizer: new FixedSpeechRecognizer(), synthesizer: new SilentSynthesizer() },
      // Small limits put the 413 paths within reach of small generated bodies; the limiters would only answer 429.
      app: {
        bodyLimitBytes: 16 * 1024,
        audioBodyLimitBytes: 64 * 1024,
        rateLimit: false,
        authFailureLimit: false,
        corsOrigins: [ALLOWED_ORIGIN],
      },
    });
    tokens = await Promise.all(USERS.map((userId) => h.authority.mint({ userId, ttlSeconds: 3600 })));
  });

  afterAll(async () => {
    const breakdown = [...statuses.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${status}:${n}`)
      .join(' ');
    console.log(`http-fuzz: ${sent} generated requests (${breakdown})`);
    await h.app.close();
  });

  async function send(request: FuzzRequest): Promise<void> {
    const response = await h.app.inject(toInject(request));
    sent += 1;
    statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
    checkResponse(request, response);
  }

  const options = (numRuns: number) => ({ numRuns, ...(seed !== undefined && { seed }) });

  it('holds for any method, path, query, headers and body', async () => {
    pools = await freshPools();
    await fc.assert(fc.asyncProperty(requestArbitrary(pools), send), options(share(0.6)));
  });

  it('holds for hostile bodies on the turn route with a valid token', async () => {
    pools = await freshPools();
    const target = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...pools.owned) },
      { weight: 1, arbitrary: fc.record({ id: idArbitrary(pools), token: fc.constantFrom(...pools.tokens) }) },
    );
    const turn = fc
      .record({ target, payload: payloadArbitrary })
      .map(({ target: { id, token }, payload }) => ({ id, token, payload }));
    await fc.assert(
      fc.asyncProperty(turn, ({ id, token, payload }) =>
        send({
          method: 'POST',
          url: `/v1/conversations/${id}/turns`,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          ...(payload !== undefined && { payload }),
        }),
      ),
      options(share(0.25)),
    );
  });

  it('holds for random audio bytes on the turn route', async () => {
    pools = await freshPools();
    const audio = fc.record({ owner: fc.constantFrom(...pools.owned), data: audioData, speech: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(audio, ({ owner, data, speech }) =>
        send({
          method: 'POST',
          url: `/v1/conversations/${owner.id}/turns`,
          headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
          payload: JSON.stringify({ audio: { data, format: 'wav' }, ...(speech && { speech: { format: 'wav' } }) }),
        }),
      ),
      options(share(0.15)),
    );
  });

  it(`ran at least ${TOTAL_RUNS} requests and the app still serves`, async () => {
    expect(sent).toBeGreaterThanOrEqual(TOTAL_RUNS);
    expect((await h.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    const { id } = await h.assistant.service.create('alice');
    const turn = await h.app.inject({
      method: 'POST',
      url: `/v1/conversations/${id}/turns`,
      headers: await h.as('alice'),
      payload: { text: 'what time is it' },
    });
    expect(turn.statusCode, turn.body).toBe(200);
    expect(statuses.get(200)).toBeGreaterThan(0);
  });
});

/** The invariants every answer must keep, whatever was asked. */
function checkResponse(request: FuzzRequest, response: LightMyRequestResponse): void {
  const where = `${request.method} ${request.url.slice(0, 200)} -> ${response.statusCode} ${response.body.slice(0, 300)}`;
  expect(response.statusCode, where).toBeLessThan(500);
  expect(response.statusCode, where).toBeGreaterThanOrEqual(200);
  const contentType = String(response.headers['content-type'] ?? '');
  const authorization = request.headers.authorization;
  for (const credential of [authorization].flat()) {
    const token = credential?.replace(/^bearer\s+/i, '').trim();
    if (token && token.length > 16)
      expect(response.body.includes(token), `${where}: echoes the credential`).toBe(false);
  }
  if (response.statusCode >= 400) {
    expect(contentType, where).toMatch(/^application\/problem\+json/);
    if (request.method === 'HEAD') return;
    const problem = JSON.parse(response.body) as Record<string, unknown>;
    expect(Value.Check(ProblemSchema, problem), where).toBe(true);
    expect(problem.status, where).toBe(response.statusCode);
    expect(problem.type, where).toMatch(/^urn:voice-assistant:problem:[a-z0-9-]+$/);
    expect(problem.requestId, where).toBe(response.headers['x-request-id']);
    return;
  }
  if (request.method !== 'HEAD' && contentType.startsWith('application/json')) {
    expect(() => JSON.parse(response.body), where).not.toThrow();
  }
}
