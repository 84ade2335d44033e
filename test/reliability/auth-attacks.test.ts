import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../entrypoints/composition/config.js';
import { startServer } from '../../entrypoints/http/server.js';
import { createLogger } from '../../entrypoints/composition/logger.js';
import { AUDIENCE, createHttpHarness, expectProblem, ISSUER, SECRET, type HttpHarness } from '../http/http-harness.js';

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A JWT built by hand, so any header, claim or signature can be forged; signed with HMAC-SHA256 over `key`. */
function forge(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key: string | Buffer = SECRET,
): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}
const HS256 = { alg: 'HS256', typ: 'JWT' };
const claimsFor = (sub: string, extra: Record<string, unknown> = {}) => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub,
  iat: now(),
  exp: now() + 600,
  ...extra,
});
const without = (claims: Record<string, unknown>, key: string) =>
  Object.fromEntries(Object.entries(claims).filter(([k]) => k !== key));

/** Every forged or broken credential an attacker might present as alice. None may get in. */
function attacks(): Record<string, string> {
  const valid = forge(HS256, claimsFor('alice'));
  const [header, payload, signature] = valid.split('.') as [string, string, string];
  const bobs = forge(HS256, claimsFor('bob')).split('.')[2];
  const alice = claimsFor('alice');
  return {
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
    'alg NONE with a signature': `${b64({ alg: 'NONE' })}.${payload}.${signature}`,
    'alg None, no signature segment': `${b64({ alg: 'None' })}.${payload}`,
    'alg HS512 label on an HS256 signature': `${b64({ alg: 'HS512', typ: 'JWT' })}.${payload}.${signature}`,
    'alg RS256 label (algorithm confusion)': forge({ alg: 'RS256', typ: 'JWT' }, alice),
    'wrong signature (another key)': forge(HS256, alice, randomBytes(32)),
    'empty key': forge(HS256, alice, ''),
    'signature stripped': `${header}.${payload}.`,
    "bob's signature on alice's claims": `${header}.${payload}.${bobs}`,
    'wrong issuer': forge(HS256, claimsFor('alice', { iss: 'https://evil.example' })),
    'wrong audience': forge(HS256, claimsFor('alice', { aud: 'another-api' })),
    'audience list without ours': forge(HS256, claimsFor('alice', { aud: ['another-api', `${AUDIENCE}-x`] })),
    expired: forge(HS256, claimsFor('alice', { iat: now() - 7200, exp: now() - 60 })),
    'not yet valid': forge(HS256, claimsFor('alice', { nbf: now() + 3600 })),
    'missing sub': forge(HS256, without(alice, 'sub')),
    'missing exp': forge(HS256, without(alice, 'exp')),
    'missing iss': forge(HS256, without(alice, 'iss')),
    'missing aud': forge(HS256, without(alice, 'aud')),
    'empty sub': forge(HS256, claimsFor('')),
    'numeric sub': forge(HS256, { ...alice, sub: 42 }),
    'object sub': forge(HS256, { ...alice, sub: { id: 'alice' } }),
    'sub over 256 characters': forge(HS256, claimsFor('a'.repeat(257))),
    'exp as a string': forge(HS256, { ...alice, exp: String(now() + 600) }),
    'claims tampered: sub changed to bob': `${header}.${b64({ ...alice, sub: 'bob' })}.${signature}`,
    'claims tampered: exp extended': `${header}.${b64({ ...alice, exp: now() + 10 ** 8 })}.${signature}`,
    'claims tampered: admin scope added': `${header}.${b64({ ...alice, scope: 'admin' })}.${signature}`,
    'header tampered: kid path traversal': `${b64({ ...HS256, kid: '../../../../dev/null' })}.${payload}.${signature}`,
    'header tampered: jku to an attacker': forge(
      { ...HS256, jku: 'https://evil.example/jwks.json' },
      alice,
      randomBytes(32),
    ),
    'unknown critical header': forge({ ...HS256, crit: ['exp'] }, alice),
    'four segments': `${valid}.${signature}`,
    'two segments': `${header}.${payload}`,
    'header re-encoded with padding': `${header}=.${payload}.${signature}`,
    'payload re-encoded as standard base64': `${header}.${Buffer.from(JSON.stringify({ ...alice, note: '???>>>' })).toString('base64')}.${signature}`,
    'header not JSON': `${b64('not json')}.${payload}.${signature}`,
    'payload an array': forge(HS256, [alice] as unknown as Record<string, unknown>),
    'longer than the header limit': `${header}.${b64({ ...alice, pad: 'x'.repeat(9000) })}.${signature}`,
  };
}

const routes = (id: string): (InjectOptions & { url: string })[] => [
  { method: 'GET', url: '/v1/conversations' },
  { method: 'POST', url: '/v1/conversations', payload: { title: 'intruder' } },
  { method: 'GET', url: `/v1/conversations/${id}` },
  { method: 'GET', url: `/v1/conversations/${id}/turns` },
  { method: 'POST', url: `/v1/conversations/${id}/turns`, payload: { text: 'what time is it' } },
  { method: 'DELETE', url: `/v1/conversations/${id}` },
  { method: 'GET', url: '/v1/me/preferences' },
  { method: 'PATCH', url: '/v1/me/preferences', payload: { homeCity: 'Mallorytown' } },
  { method: 'DELETE', url: '/v1/me' },
  { method: 'GET', url: '/v1/skills' },
];

describe('authentication attacks and cross-user access', () => {
  let h: HttpHarness;
  let opened: HttpHarness | undefined;
  const harness = async (options: Parameters<typeof createHttpHarness>[0]) => {
    opened = await createHttpHarness(options);
    return opened;
  };
  afterEach(async () => {
    vi.useRealTimers();
    await opened?.app.close();
    opened = undefined;
  });

  /** alice with a conversation of one exchange and a home city; returns a check that all of it is still there. */
  async function aliceWithData() {
    const { id } = await h.assistant.service.create('alice', { title: 'Mine' });
    await h.assistant.handleTurn({ userId: 'alice', conversationId: id, input: { kind: 'text', text: 'hello' } });
    await h.assistant.service.updatePreferences('alice', { homeCity: 'Oslo' });
    const before = {
      conversation: await h.assistant.service.get('alice', id),
      turns: await h.assistant.service.history('alice', id, { limit: 10 }),
    };
    const intact = async (context: string) => {
      expect(await h.assistant.service.get('alice', id), context).toEqual(before.conversation);
      expect(await h.assistant.service.history('alice', id, { limit: 10 }), context).toEqual(before.turns);
      expect(
        (await h.assistant.service.list('alice', { limit: 10 })).items.map((c) => c.id),
        context,
      ).toEqual([id]);
      expect((await h.assistant.service.getPreferences('alice')).homeCity, context).toBe('Oslo');
    };
    return { id, intact };
  }

  it('rejects every forged or broken token on every /v1 route with 401, and alice keeps all her data', async () => {
    h = await harness({ app: { authFailureLimit: false } });
    const { id, intact } = await aliceWithData();
    let rejected = 0;
    for (const [name, token] of Object.entries(attacks())) {
      for (const route of routes(id)) {
        const response = await h.app.inject({ ...route, headers: { authorization: `Bearer ${token}` } });
        expect(response.statusCode, `${name}: ${route.method} ${route.url}`).toBe(401);
        expectProblem(response, 401, 'UNAUTHENTICATED');
        expect(response.headers['www-authenticate'], `${name}: ${route.method} ${route.url}`).toMatch(
          /^Bearer realm="voice-assistant"/,
        );
        rejected += 1;
      }
      await intact(name);
    }
    expect(rejected).toBe(Object.keys(attacks()).length * 10);
    // The same token, correctly signed, does get in: the rejections above are about the forgery, not the route.
    const genuine = await h.app.inject({
      method: 'GET',
      url: `/v1/conversations/${id}`,
      headers: { authorization: `Bearer ${forge(HS256, claimsFor('alice'))}` },
    });
    expect(genuine.statusCode).toBe(200);
  });

  it('rejects any single-character change to a valid token unless it decodes to the very same token', async () => {
    h = await harness({ app: { authFailureLimit: false } });
    const { id, intact } = await aliceWithData();
    const valid = forge(HS256, claimsFor('alice'));
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ';
    const decoded = (token: string) =>
      token
        .split('.')
        .map((part) => Buffer.from(part, 'base64url').toString('hex'))
        .join('.');
    let mutations = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(valid.length - 1), fc.constantFrom(...alphabet), async (at, char) => {
        const mutated = `${valid.slice(0, at)}${char}${valid.slice(at + 1)}`;
        if (mutated === valid) return;
        mutations += 1;
        const response = await h.app.inject({
          method: 'GET',
          url: `/v1/conversations/${id}`,
          headers: { authorization: `Bearer ${mutated}` },
        });
        // base64url's last character carries spare bits, so a few edits decode to identical bytes: those may pass.
        if (response.statusCode === 200) expect(decoded(mutated)).toBe(decoded(valid));
        else expectProblem(response, 401, 'UNAUTHENTICATED');
      }),
      { numRuns: 400 },
    );
    expect(mutations).toBeGreaterThan(300);
    await intact('after the mutations');
  });

  it("answers 404 for alice's conversation on every route to every other user, and alice's data stays intact", async () => {
    h = await harness({ app: { authFailureLimit: false } });
    const { id, intact } = await aliceWithData();
    const aliceCursor = (
      await h.app.inject({ method: 'GET', url: '/v1/conversations?limit=1', headers: await h.as('alice') })
    ).json().nextCursor;
    // Subjects that look like alice's to a sloppy comparison (case, padding, NUL, prefix) are other users entirely.
    for (const intruder of ['mallory', 'ALICE', 'alice ', ' alice', 'alice\u0000', 'alic', 'alice/..']) {
      const headers = await h.as(intruder);
      for (const route of routes(id).filter((r) => r.url.includes(id))) {
        expectProblem(await h.app.inject({ ...route, headers }), 404, 'CONVERSATION_NOT_FOUND');
        await intact(`${intruder}: ${route.method} ${route.url}`);
      }
      expect((await h.app.inject({ method: 'GET', url: '/v1/conversations', headers })).json(), intruder).toEqual({
        items: [],
      });
      if (aliceCursor) {
        const borrowed = await h.app.inject({ method: 'GET', url: `/v1/conversations?cursor=${aliceCursor}`, headers });
        expect(borrowed.statusCode === 200 ? borrowed.json().items : [], intruder).toEqual([]);
      }
      expect(
        (
          await h.app.inject({
            method: 'PATCH',
            url: '/v1/me/preferences',
            headers,
            payload: { homeCity: 'Mallorytown' },
          })
        ).statusCode,
      ).toBe(200);
      expect((await h.app.inject({ method: 'DELETE', url: '/v1/me', headers })).json(), intruder).toEqual({
        conversations: 0,
        profile: true,
      });
      await intact(`${intruder}: own preferences and erasure`);
    }
  });

  it('throttles an address after AUTH_FAILURE_LIMIT failed authentications, other addresses unaffected, until the window ends', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['Date'] });
    h = await harness({ app: { authFailureLimit: { max: 5, timeWindowMs: 60_000 } } });
    const attacker = { remoteAddress: '203.0.113.7' };
    const bystander = { remoteAddress: '198.51.100.2' };
    const valid = await h.as('alice');
    const bad = { authorization: `Bearer ${forge(HS256, claimsFor('alice'), randomBytes(32))}` };
    const get = (headers: Record<string, string>, from: { remoteAddress: string }) =>
      h.app.inject({ method: 'GET', url: '/v1/skills', headers, ...from });

    // Act
    const failures = [];
    for (let i = 0; i < 4; i += 1) failures.push((await get(bad, attacker)).statusCode);
    failures.push((await h.app.inject({ method: 'GET', url: '/v1/skills', ...attacker })).statusCode);
    const throttledBad = await get(bad, attacker);
    const throttledValid = await get(valid, attacker);
    const other = await get(valid, bystander);
    vi.setSystemTime(Date.now() + 61_000);
    const afterWindow = await get(await h.as('alice'), attacker);

    // Assess
    expect(failures).toEqual([401, 401, 401, 401, 401]);
    const problem = expectProblem(throttledBad, 429, 'AUTH_RATE_LIMITED');
    expect(problem.detail).not.toContain(bad.authorization.slice(7));
    expect(Number(throttledBad.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    expectProblem(throttledValid, 429, 'AUTH_RATE_LIMITED');
    expect(other.statusCode).toBe(200);
    expect(afterWindow.statusCode).toBe(200);
  });

  it('never throttles successful requests, however many', async () => {
    h = await harness({ app: { authFailureLimit: { max: 2, timeWindowMs: 60_000 }, rateLimit: false } });
    const headers = await h.as('alice');
    const statuses = new Set<number>();
    for (let i = 0; i < 30; i += 1)
      statuses.add((await h.app.inject({ method: 'GET', url: '/v1/skills', headers })).statusCode);
    expect([...statuses]).toEqual([200]);
  });

  it('takes the limit from AUTH_FAILURE_LIMIT per RATE_LIMIT_WINDOW_MS in the real server, and 0 turns it off', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'auth-throttle-'));
    const env = {
      DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'silent',
      CONVERSATION_STORE: 'memory',
      TTS: 'none',
      AUTH_FAILURE_LIMIT: '2',
      RATE_LIMIT_WINDOW_MS: '60000',
    };
    expect(loadConfig(env).limits).toMatchObject({ authFailureLimit: 2, rateLimitWindowMs: 60_000 });
    expect(loadConfig({ ...env, AUTH_FAILURE_LIMIT: '0' }).limits.authFailureLimit).toBe(0);
    expect(() => loadConfig({ ...env, AUTH_FAILURE_LIMIT: '-1' })).toThrow(/AUTH_FAILURE_LIMIT/);
    const server = await startServer(loadConfig(env), createLogger('silent'));
    try {
      const statuses = [];
      for (let i = 0; i < 3; i += 1)
        statuses.push((await fetch(`${server.url}/v1/skills`, { headers: { authorization: 'Bearer nope' } })).status);
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
