import { randomBytes } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIENCE, createHttpHarness, expectProblem, ISSUER, SECRET, type HttpHarness } from './http-harness.js';

const now = () => Math.floor(Date.now() / 1000);
const sign = (key: string | Buffer, claims: Record<string, unknown>) =>
  createSigner({ key, algorithm: 'HS256', noTimestamp: true })({
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now(),
    exp: now() + 600,
    ...claims,
  });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('HTTP authentication and ownership', () => {
  let h: HttpHarness;
  afterEach(() => h.app.close());

  const routes = (id: string) => [
    { method: 'GET' as const, url: '/v1/conversations' },
    { method: 'POST' as const, url: '/v1/conversations' },
    { method: 'GET' as const, url: `/v1/conversations/${id}` },
    { method: 'GET' as const, url: `/v1/conversations/${id}/turns` },
    { method: 'POST' as const, url: `/v1/conversations/${id}/turns`, payload: { text: 'hello' } },
    { method: 'DELETE' as const, url: `/v1/conversations/${id}` },
    { method: 'GET' as const, url: '/v1/me/preferences' },
    { method: 'PATCH' as const, url: '/v1/me/preferences', payload: { units: 'imperial' } },
    { method: 'DELETE' as const, url: '/v1/me' },
    { method: 'GET' as const, url: '/v1/skills' },
  ];

  it('refuses every /v1 route without credentials: 401 problem with a Bearer challenge', async () => {
    h = await createHttpHarness();
    const { id } = await h.assistant.service.create('alice');
    for (const route of routes(id)) {
      const response = await h.app.inject(route);
      expectProblem(response, 401, 'UNAUTHENTICATED');
      expect(response.headers['www-authenticate'], `${route.method} ${route.url}`).toBe(
        'Bearer realm="voice-assistant"',
      );
    }
    expect((await h.assistant.service.get('alice', id)).version).toBe(0);
  });

  it('treats another scheme as no credentials', async () => {
    h = await createHttpHarness();
    const response = await h.app.inject({
      method: 'GET',
      url: '/v1/conversations',
      headers: { authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}` },
    });
    expectProblem(response, 401, 'UNAUTHENTICATED');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="voice-assistant"');
  });

  it('rejects bad tokens with invalid_token and never echoes them', async () => {
    // Prepare
    h = await createHttpHarness();
    const valid = sign(SECRET, { sub: 'alice' });
    const [header, payload, signature] = valid.split('.');
    const tokens: Record<string, string> = {
      garbage: 'garbage',
      empty: '',
      expired: sign(SECRET, { sub: 'alice', iat: now() - 7200, exp: now() - 3600 }),
      notYetValid: sign(SECRET, { sub: 'alice', nbf: now() + 3600 }),
      tampered: `${header}.${b64({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), sub: 'bob' })}.${signature}`,
      algNone: `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      foreignKey: sign(randomBytes(32), { sub: 'alice' }),
      wrongAudience: sign(SECRET, { sub: 'alice', aud: 'another-api' }),
      noSubject: sign(SECRET, {}),
    };

    // Act & Assess
    for (const [name, token] of Object.entries(tokens)) {
      const response = await h.app.inject({
        method: 'GET',
        url: '/v1/conversations',
        headers: { authorization: `Bearer ${token}` },
      });
      const problem = expectProblem(response, 401, 'UNAUTHENTICATED');
      expect(response.headers['www-authenticate'], name).toMatch(
        /^Bearer realm="voice-assistant"(, error="invalid_token".*)?$/,
      );
      if (token.length > 0) {
        expect(response.headers['www-authenticate'], name).toContain('error="invalid_token"');
        expect(response.body, name).not.toContain(token);
      }
      expect(problem.detail, name).toEqual(expect.any(String));
    }
  });

  it('accepts a valid token and scopes data to its subject', async () => {
    h = await createHttpHarness();
    await h.assistant.service.create('alice');
    const response = await h.app.inject({
      method: 'GET',
      url: '/v1/conversations',
      headers: { authorization: `bearer ${sign(SECRET, { sub: 'alice' })}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toHaveLength(1);
  });

  it("answers 404 for another user's conversation on every route, and leaves it intact", async () => {
    // Prepare
    h = await createHttpHarness();
    const { id } = await h.assistant.service.create('alice');
    await h.assistant.handleTurn({ userId: 'alice', conversationId: id, input: { kind: 'text', text: 'hello' } });
    const mallory = await h.as('mallory');

    // Act
    const read = await h.app.inject({ method: 'GET', url: `/v1/conversations/${id}`, headers: mallory });
    const turns = await h.app.inject({ method: 'GET', url: `/v1/conversations/${id}/turns`, headers: mallory });
    const say = await h.app.inject({
      method: 'POST',
      url: `/v1/conversations/${id}/turns`,
      headers: mallory,
      payload: { text: 'hello' },
    });
    const remove = await h.app.inject({ method: 'DELETE', url: `/v1/conversations/${id}`, headers: mallory });
    const list = await h.app.inject({ method: 'GET', url: '/v1/conversations', headers: mallory });

    // Assess
    for (const response of [read, turns, say, remove]) expectProblem(response, 404, 'CONVERSATION_NOT_FOUND');
    expect(list.json()).toEqual({ items: [] });
    const owner = await h.app.inject({
      method: 'GET',
      url: `/v1/conversations/${id}/turns`,
      headers: await h.as('alice'),
    });
    expect(owner.json().items).toHaveLength(2);
    expect((await h.assistant.service.get('alice', id)).version).toBe(1);
  });

  it('reads a token it already knows from the same header forms as a new one, and no other', async () => {
    // Prepare: the token is known once a request carrying it was accepted.
    h = await createHttpHarness();
    const token = sign(SECRET, { sub: 'alice' });
    const get = (authorization: string) =>
      h.app.inject({ method: 'GET', url: '/v1/conversations', headers: { authorization } });
    expect((await get(`Bearer ${token}`)).statusCode).toBe(200);

    // Act
    const accepted = [`Bearer ${token}`, `bearer ${token}`, `Bearer  ${token}`, `Bearer ${token} `];
    const refused = [
      `Bearer ${token}x`,
      `Bearer ${token} x`,
      `Bearer ${token}\t`,
      `Bearer ${token}.`,
      `Bearer=${token}`,
    ];
    const statuses = async (headers: string[]) =>
      Promise.all(headers.map(async (header) => (await get(header)).statusCode));

    // Assess
    expect(await statuses(accepted)).toEqual([200, 200, 200, 200]);
    expect(await statuses(refused)).toEqual([401, 401, 401, 401, 401]);
  });

  it('rejects an oversized Authorization header without verifying it', async () => {
    h = await createHttpHarness();
    const response = await h.app.inject({
      method: 'GET',
      url: '/v1/conversations',
      headers: { authorization: `Bearer ${'a'.repeat(9000)}` },
    });
    expectProblem(response, 401, 'UNAUTHENTICATED');
  });

  it('leaves the probes and the docs open', async () => {
    h = await createHttpHarness();
    for (const url of ['/health', '/ready', '/docs/json']) {
      expect((await h.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
  });
});
