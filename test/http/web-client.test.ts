import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { webVoiceTransport } from '../../entrypoints/http/app-options.js';
import { WEB_CSP } from '../../entrypoints/http/routes/web.js';
import { createHttpHarness, type HttpHarness } from './http-harness.js';

describe('the web client at / (local profile) and its sign-in', () => {
  let root: string;
  let harness: HttpHarness | undefined;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'web-client-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<!doctype html><title>client</title>');
    await writeFile(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
  });
  afterAll(async () => rm(root, { recursive: true, force: true }));
  afterEach(async () => harness?.app.close());

  const start = async (app: Parameters<typeof createHttpHarness>[0] = {}) => {
    harness = await createHttpHarness({
      ...app,
      app: { web: { root, config: { auth: { kind: 'local' } } }, ...app.app },
    });
    return harness.app;
  };

  it('serves index.html at / and at client routes, revalidated, under the app policy', async () => {
    const app = await start();
    for (const url of ['/', '/settings', '/conversations/abc-1', '/skills', '/auth/callback']) {
      const response = await app.inject({ url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body).toContain('<title>client</title>');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['content-security-policy']).toBe(WEB_CSP);
    }
    expect(WEB_CSP).toContain("script-src 'self'");
    expect(WEB_CSP).not.toContain('unsafe-inline');
  });

  it('serves hashed assets as immutable, and /config.json', async () => {
    const app = await start();
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const config = await app.inject({ url: '/config.json' });
    expect(config.json()).toEqual({ auth: { kind: 'local' } });
  });

  it('never answers /v1, /docs or /health paths with the page, and the API keeps its own policy', async () => {
    const app = await start();
    const unknown = await app.inject({ url: '/v1/nope' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect((await app.inject({ url: '/health/nope' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/elsewhere' })).statusCode).toBe(404);
    const api = await app.inject({ url: '/v1/skills' });
    expect(api.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('signs a user in on the local profile: a token the API accepts', async () => {
    const app = await start();
    const session = await app.inject({ method: 'POST', url: '/v1/local/session', payload: { user: 'alice' } });
    expect(session.statusCode).toBe(200);
    const { token, userId, expiresIn } = session.json<{ token: string; userId: string; expiresIn: number }>();
    expect(userId).toBe('alice');
    expect(expiresIn).toBeGreaterThan(0);
    const prefs = await app.inject({ url: '/v1/me/preferences', headers: { authorization: `Bearer ${token}` } });
    expect(prefs.statusCode).toBe(200);
    const bad = await app.inject({ method: 'POST', url: '/v1/local/session', payload: { user: 'a b' } });
    expect(bad.statusCode).toBe(400);
  });

  it('rate-limits sign-ins per address', async () => {
    const app = await start({
      wrap: (assistant) => ({
        localSession: {
          mint: (userId, ttlSeconds) => assistant.authority.mint({ userId, ttlSeconds }),
          limit: { max: 2, timeWindowMs: 60_000 },
        },
      }),
    });
    const signIn = () => app.inject({ method: 'POST', url: '/v1/local/session', payload: { user: 'bob' } });
    expect((await signIn()).statusCode).toBe(200);
    expect((await signIn()).statusCode).toBe(200);
    const limited = await signIn();
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it("serves the client's voice transport in /config.json when set (WEB_VOICE=http); checks WEB_VOICE", async () => {
    const app = await start({ app: { web: { root, config: { auth: { kind: 'local' }, voice: 'http' } } } });
    expect((await app.inject({ url: '/config.json' })).json()).toEqual({ auth: { kind: 'local' }, voice: 'http' });
    expect(webVoiceTransport(undefined)).toBeUndefined();
    expect(webVoiceTransport('')).toBeUndefined();
    expect(webVoiceTransport('http')).toBe('http');
    expect(webVoiceTransport('websocket')).toBe('websocket');
    expect(() => webVoiceTransport('sse')).toThrow(/WEB_VOICE must be "websocket" or "http", not "sse"/);
  });

  it('has no sign-in route without a minter (the aws profile)', async () => {
    const app = await start({ app: { localSession: undefined } });
    const response = await app.inject({ method: 'POST', url: '/v1/local/session', payload: { user: 'alice' } });
    expect(response.statusCode).toBe(404);
  });
});
