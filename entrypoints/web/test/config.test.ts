import { describe, expect, it } from 'vitest';
import { ConfigError, loadClientConfig, validateClientConfig } from '../src/config';

const cognito = {
  auth: {
    kind: 'cognito',
    domain: 'https://va-dev-123456789012.auth.eu-west-1.amazoncognito.com',
    clientId: '4example0client0id',
    redirectUri: 'https://d111111abcdef8.cloudfront.net/auth/callback',
  },
  apiBase: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1stage',
};

const answer =
  (body: string, init: { status?: number; type?: string } = {}): typeof fetch =>
  async () =>
    new Response(body, {
      status: init.status ?? 200,
      headers: { 'content-type': init.type ?? 'application/json; charset=utf-8' },
    });

describe('the client configuration (/config.json)', () => {
  it('accepts what the deploy writes and what the local server serves', async () => {
    expect(await loadClientConfig(answer(JSON.stringify(cognito)))).toEqual(cognito);
    expect(await loadClientConfig(answer('{"auth":{"kind":"local"}}'))).toEqual({ auth: { kind: 'local' } });
  });

  it('says it is missing when CloudFront answers with index.html (the SPA fallback) or a 404', async () => {
    const html = loadClientConfig(answer('<!doctype html>', { type: 'text/html' }));
    await expect(html).rejects.toBeInstanceOf(ConfigError);
    await expect(html).rejects.toThrow(/\/config\.json\) is missing \(HTTP 200, text\/html\).*npm run deploy/);
    await expect(loadClientConfig(answer('', { status: 404 }))).rejects.toThrow(/missing \(HTTP 404/);
  });

  it('takes the voice transport when given (websocket or http); absent, the client uses the socket', async () => {
    const deployed = { ...cognito, voice: 'http' };
    expect(await loadClientConfig(answer(JSON.stringify(deployed)))).toEqual(deployed);
    expect(validateClientConfig({ auth: { kind: 'local' }, voice: 'websocket' })).toEqual({
      config: { auth: { kind: 'local' }, voice: 'websocket' },
    });
    expect(validateClientConfig({ auth: { kind: 'local' }, voice: 'sse' })).toEqual({
      problems: ['voice must be "websocket" or "http"'],
    });
    await expect(loadClientConfig(answer('{"auth":{"kind":"local"},"voice":true}'))).rejects.toThrow(
      /invalid: voice must be "websocket" or "http"/,
    );
  });

  it('lists every problem of a configuration with the wrong shape', () => {
    expect(validateClientConfig({ auth: { kind: 'cognito', domain: 'nope' }, apiBase: 'ftp://x' })).toEqual({
      problems: [
        'apiBase must be an http(s) URL',
        'auth.domain must be the hosted UI URL',
        'auth.clientId is missing',
        'auth.redirectUri must be an http(s) URL',
      ],
    });
    expect(validateClientConfig([])).toEqual({ problems: ['it is not a JSON object'] });
    expect(validateClientConfig({})).toEqual({ problems: ['auth is missing'] });
  });

  it('reports a fetch that fails and a body that is not JSON', async () => {
    const offline: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(loadClientConfig(offline)).rejects.toThrow('could not be fetched: TypeError: Failed to fetch');
    await expect(loadClientConfig(answer('{'))).rejects.toThrow('is not valid JSON');
  });
});
