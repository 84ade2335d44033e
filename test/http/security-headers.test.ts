import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import securityHeaders, { helmetHeaders } from '../../entrypoints/http/plugins/security-headers.js';

describe('security headers computed once', () => {
  it('sets what helmet sets, on every response, including errors and unknown routes', async () => {
    const app = Fastify();
    await app.register(securityHeaders, {
      helmet: {
        contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"] } },
        frameguard: { action: 'deny' },
      },
    });
    app.get('/ok', async () => ({ ok: true }));
    app.get('/boom', async () => {
      throw new Error('boom');
    });
    for (const url of ['/ok', '/boom', '/nowhere']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.headers, url).toMatchObject({
        'content-security-policy': "default-src 'none'",
        'x-frame-options': 'DENY',
        'x-content-type-options': 'nosniff',
        'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
      });
    }
    await app.close();
  });

  it('refuses request-dependent CSP directives instead of freezing their first value', () => {
    expect(() =>
      helmetHeaders({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", () => "'nonce-x'"] } } }),
    ).toThrow(/depends on the request/);
  });
});
