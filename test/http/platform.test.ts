import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AbortedError,
  CoreError,
  ErrorCodes,
  LanguageModelUnavailableError,
  VersionConflictError,
} from '../../core/errors.js';
import { createHttpHarness, expectProblem, silentWav, type HttpHarness } from './http-harness.js';

function captureLines() {
  const lines: string[] = [];
  const stream = new Writable({
    write: (chunk, _encoding, done) => {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

describe('HTTP platform: probes, skills, docs, request ids, limits and errors', () => {
  let h: HttpHarness;
  afterEach(() => h.app.close());

  it('answers liveness with the version', async () => {
    h = await createHttpHarness({ app: { version: '1.2.3' } });
    const response = await h.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', version: '1.2.3' });
  });

  it('answers readiness from the probe: 200 when all are ok, 503 naming the failing one without its reason', async () => {
    // Prepare
    let state: Record<string, string> = { store: 'ok', model: 'ok' };
    h = await createHttpHarness({ app: { readiness: async () => state } });

    // Act
    const ready = await h.app.inject({ method: 'GET', url: '/ready' });
    state = { store: 'ok', model: 'connect ECONNREFUSED 10.1.2.3:11434' };
    const notReady = await h.app.inject({ method: 'GET', url: '/ready' });

    // Assess
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { store: 'ok', model: 'ok' } });
    const problem = expectProblem(notReady, 503, 'NOT_READY');
    expect(problem.checks).toEqual({ store: 'ok', model: 'unavailable' });
    expect(notReady.headers['retry-after']).toBe('5');
    expect(notReady.body).not.toContain('10.1.2.3');
  });

  it('answers 503 when the readiness probe itself throws', async () => {
    h = await createHttpHarness({ app: { readiness: async () => Promise.reject(new Error('boom')) } });
    expectProblem(await h.app.inject({ method: 'GET', url: '/ready' }), 503, 'NOT_READY');
  });

  it('lists the skills with their intents, example utterances and slots', async () => {
    h = await createHttpHarness();
    const response = await h.app.inject({ method: 'GET', url: '/v1/skills', headers: await h.as('alice') });
    expect(response.statusCode).toBe(200);
    const { skills } = response.json();
    expect(skills.map((s: { name: string }) => s.name)).toEqual(['small-talk', 'weather', 'music', 'time', 'help']);
    const weather = skills.find((s: { name: string }) => s.name === 'weather');
    expect(weather.description).toEqual(expect.any(String));
    expect(weather.intents).toContainEqual({
      name: 'weather.current',
      utterances: expect.arrayContaining(["what's the weather"]),
      slots: [expect.objectContaining({ name: 'city', entity: 'city', required: true })],
    });
  });

  it('publishes an OpenAPI 3.1 document listing every route, with bearer security on /v1', async () => {
    // Prepare
    h = await createHttpHarness({ app: { version: '9.9.9' } });

    // Act
    const response = await h.app.inject({ method: 'GET', url: '/docs/json' });
    const ui = await h.app.inject({ method: 'GET', url: '/docs' });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(ui.statusCode).toBeLessThan(400);
    const doc = response.json();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: '9.9.9' });
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    const operations = Object.entries(doc.paths as Record<string, Record<string, OpenApiOperation>>).flatMap(
      ([path, item]) =>
        Object.entries(item).map(([method, operation]) => ({
          key: `${method.toUpperCase()} ${path}`,
          path,
          operation,
        })),
    );
    expect(operations.map((o) => o.key).sort()).toEqual(
      [
        'GET /health',
        'GET /ready',
        'POST /v1/conversations',
        'GET /v1/conversations',
        'GET /v1/conversations/{id}',
        'DELETE /v1/conversations/{id}',
        'GET /v1/conversations/{id}/turns',
        'POST /v1/conversations/{id}/turns',
        'GET /v1/me/preferences',
        'PATCH /v1/me/preferences',
        'DELETE /v1/me',
        'GET /v1/skills',
        'POST /v1/local/session',
      ].sort(),
    );
    for (const { key, path, operation } of operations) {
      expect(Object.keys(operation.responses ?? {}).length, key).toBeGreaterThan(0);
      expect(operation.summary, key).toEqual(expect.any(String));
      // The local profile's sign-in is the one /v1 route without a bearer: it is how the web client gets one.
      if (path.startsWith('/v1/') && path !== '/v1/local/session') {
        expect(operation.security, key).toEqual([{ bearerAuth: [] }]);
        expect(operation.responses['4XX']?.content?.['application/problem+json']?.schema, key).toBeDefined();
      }
      for (const name of path.match(/\{(\w+)\}/g) ?? []) {
        expect(
          operation.parameters?.some((p) => p.in === 'path' && `{${p.name}}` === name && p.required),
          `${key} ${name}`,
        ).toBe(true);
      }
    }
    expect(JSON.stringify(doc)).not.toMatch(/"\$ref":"(?!#\/components\/)/);
  });

  it('echoes a well-formed x-request-id and replaces a malformed one', async () => {
    h = await createHttpHarness();
    const kept = await h.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123_DEF.4:5' } });
    const replaced = await h.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'bad id\twith "stuff"' },
    });
    const tooLong = await h.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'a'.repeat(129) } });
    const generated = await h.app.inject({ method: 'GET', url: '/health' });
    expect(kept.headers['x-request-id']).toBe('abc-123_DEF.4:5');
    for (const response of [replaced, tooLong, generated]) {
      expect(response.headers['x-request-id']).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
    }
    const problem = expectProblem(
      await h.app.inject({ method: 'GET', url: '/v1/skills', headers: { 'x-request-id': 'trace-42' } }),
      401,
    );
    expect(problem.requestId).toBe('trace-42');
  });

  it('answers unknown routes with a 404 problem', async () => {
    h = await createHttpHarness();
    const headers = await h.as('alice');
    const problem = expectProblem(
      await h.app.inject({ method: 'GET', url: '/v1/nothing-here?x=1', headers }),
      404,
      'ROUTE_NOT_FOUND',
    );
    expect(problem.instance).toBe('/v1/nothing-here');
    expectProblem(await h.app.inject({ method: 'PUT', url: '/v1/skills', headers }), 404, 'ROUTE_NOT_FOUND');
    expectProblem(await h.app.inject({ method: 'GET', url: '/' }), 404, 'ROUTE_NOT_FOUND');
  });

  it('answers 413 for a body over the default limit on ordinary routes', async () => {
    h = await createHttpHarness({ app: { bodyLimitBytes: 1024 } });
    const response = await h.app.inject({
      method: 'PATCH',
      url: '/v1/me/preferences',
      headers: await h.as('alice'),
      payload: { homeCity: 'x'.repeat(2000) },
    });
    expectProblem(response, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('rate-limits per user with a 429 problem and Retry-After, other users unaffected', async () => {
    // Prepare
    h = await createHttpHarness({ app: { rateLimit: { max: 2, timeWindowMs: 60_000 } } });
    const alice = await h.as('alice');

    // Act
    const statuses = [];
    for (let i = 0; i < 3; i += 1)
      statuses.push((await h.app.inject({ method: 'GET', url: '/v1/skills', headers: alice })).statusCode);
    const limited = await h.app.inject({ method: 'GET', url: '/v1/conversations', headers: alice });
    const bob = await h.app.inject({ method: 'GET', url: '/v1/skills', headers: await h.as('bob') });
    const health = await h.app.inject({ method: 'GET', url: '/health' });

    // Assess
    expect(statuses).toEqual([200, 200, 429]);
    expectProblem(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(bob.statusCode).toBe(200);
    expect(health.statusCode).toBe(200);
  });

  it('maps core failures to their statuses', async () => {
    const failures: [Error, number, string][] = [
      [new VersionConflictError('c1', 3), 409, ErrorCodes.VERSION_CONFLICT],
      [new LanguageModelUnavailableError('ollama at 10.0.0.9 refused'), 503, ErrorCodes.LLM_UNAVAILABLE],
      [new CoreError(ErrorCodes.TIMEOUT, 'weather provider took 30s'), 504, ErrorCodes.TIMEOUT],
      [new CoreError(ErrorCodes.FORBIDDEN, 'not allowed'), 403, ErrorCodes.FORBIDDEN],
      [new AbortedError(), 499, ErrorCodes.ABORTED],
    ];
    for (const [error, status, code] of failures) {
      h = await createHttpHarness({ app: { handleTurn: async () => Promise.reject(error) } });
      const { id } = await h.assistant.service.create('alice');
      const response = await h.app.inject({
        method: 'POST',
        url: `/v1/conversations/${id}/turns`,
        headers: await h.as('alice'),
        payload: { text: 'hi' },
      });
      const problem = expectProblem(response, status, code);
      expect(problem.detail).not.toContain('10.0.0.9');
      if (status === 503) expect(response.headers['retry-after']).toBe('1');
      await h.app.close();
    }
  });

  it('hides unexpected errors behind a generic 500 and logs them', async () => {
    // Prepare
    const { lines, stream } = captureLines();
    h = await createHttpHarness({
      app: {
        logger: { level: 'info', stream },
        handleTurn: async () => Promise.reject(new TypeError('password=hunter2 in config')),
      },
    });
    const { id } = await h.assistant.service.create('alice');

    // Act
    const response = await h.app.inject({
      method: 'POST',
      url: `/v1/conversations/${id}/turns`,
      headers: await h.as('alice'),
      payload: { text: 'hi' },
    });

    // Assess
    const problem = expectProblem(response, 500, ErrorCodes.INTERNAL);
    expect(response.body).not.toContain('hunter2');
    expect(problem.detail).toMatch(/requestId/);
    expect(lines.some((line) => line.includes('hunter2') && line.includes(problem.requestId))).toBe(true);
  });

  it('logs through a ready pino logger as it is given', async () => {
    const { lines, stream } = captureLines();
    h = await createHttpHarness({ app: { logger: pino({ level: 'info' }, stream) } });
    await h.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'pino-instance-1' } });
    expect(lines.some((line) => line.includes('pino-instance-1'))).toBe(true);
  });

  it('never logs credentials or bodies, even with a serializer that logs headers', async () => {
    // Prepare
    const { lines, stream } = captureLines();
    h = await createHttpHarness({
      app: {
        logger: {
          level: 'trace',
          stream,
          serializers: {
            req: (req: { method: string; url: string; headers: unknown }) => ({
              method: req.method,
              url: req.url,
              headers: req.headers,
            }),
          },
        },
      },
    });
    const headers = await h.as('alice');
    const { id } = await h.assistant.service.create('alice');
    const audio = silentWav().toString('base64');

    // Act
    await h.app.inject({
      method: 'POST',
      url: `/v1/conversations/${id}/turns`,
      headers,
      payload: { text: 'my secret utterance' },
    });
    await h.app.inject({
      method: 'POST',
      url: `/v1/conversations/${id}/turns`,
      headers,
      payload: { audio: { data: audio, format: 'wav' } },
    });
    await h.app.inject({
      method: 'PATCH',
      url: '/v1/me/preferences',
      headers,
      payload: { homeCity: 'Secretville', bogus: 1 },
    });

    // Assess
    const log = lines.join('');
    expect(log).toContain('[Redacted]');
    expect(log).toContain('/v1/conversations');
    expect(log).not.toContain(headers.authorization?.slice('Bearer '.length));
    expect(log).not.toContain('my secret utterance');
    expect(log).not.toContain(audio.slice(0, 64));
    expect(log).not.toContain('Secretville');
  });
});

interface OpenApiOperation {
  summary?: string;
  security?: unknown;
  parameters?: { in: string; name: string; required?: boolean }[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
