import { describe, expect, it, vi } from 'vitest';
import {
  authorizeUrl,
  base64Url,
  beginSignIn,
  challengeOf,
  completeSignIn,
  createVerifier,
  readCallback,
  tokenRequestBody,
  type CognitoConfig,
} from '../src/pkce';

const config: CognitoConfig = {
  kind: 'cognito',
  domain: 'https://example.auth.eu-west-1.amazoncognito.com/',
  clientId: 'client123',
  redirectUri: 'https://app.example.com/auth/callback',
};

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

describe('PKCE helpers', () => {
  it('computes the S256 challenge: base64url of the SHA-256 of the verifier, unpadded', async () => {
    // SHA-256("abc") = ba7816bf…f20015ad (FIPS 180-2 example).
    expect(await challengeOf('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });

  it('makes 43-character base64url verifiers from 32 random bytes', () => {
    const verifier = createVerifier((bytes) => bytes.fill(255));
    expect(verifier).toHaveLength(43);
    expect(verifier).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(base64Url(new Uint8Array([251, 255]))).toBe('-_8');
    expect(createVerifier()).not.toBe(createVerifier());
  });

  it('builds the authorize URL and the token request', () => {
    const url = new URL(authorizeUrl(config, 'CHALLENGE', 'STATE'));
    expect(url.origin + url.pathname).toBe('https://example.auth.eu-west-1.amazoncognito.com/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'client123',
      redirect_uri: config.redirectUri,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
      code_challenge: 'CHALLENGE',
      state: 'STATE',
    });
    expect(Object.fromEntries(tokenRequestBody(config, 'CODE', 'VERIFIER'))).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client123',
      redirect_uri: config.redirectUri,
      code: 'CODE',
      code_verifier: 'VERIFIER',
    });
  });

  it('reads the callback: the code only with the matching state, else the error', () => {
    expect(readCallback('?code=abc&state=s1', 's1')).toEqual({ code: 'abc' });
    expect(readCallback('?code=abc&state=s2', 's1')).toEqual({ error: 'the sign-in state does not match' });
    expect(readCallback('?code=abc&state=s1', null)).toEqual({ error: 'the sign-in state does not match' });
    expect(readCallback('?error=access_denied&error_description=No', 's1')).toEqual({ error: 'No' });
    expect(readCallback('', 's1')).toEqual({ error: 'the sign-in callback carries no code' });
  });

  it('round-trips a sign-in: the verifier kept at the start is sent with the code, then forgotten', async () => {
    const storage = new MemoryStorage();
    const url = new URL(await beginSignIn(config, storage));
    const state = url.searchParams.get('state');
    const fetchImpl = vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
      const body = new URLSearchParams(init?.body as URLSearchParams);
      expect(await challengeOf(body.get('code_verifier') ?? '')).toBe(url.searchParams.get('code_challenge'));
      return new Response(JSON.stringify({ id_token: 'ID', expires_in: 60 }), { status: 200 });
    });
    const tokens = await completeSignIn(config, `?code=C&state=${state}`, storage, fetchImpl);
    expect(tokens).toEqual({ token: 'ID', expiresIn: 60 });
    expect(fetchImpl.mock.calls[0]?.[0]).toBe('https://example.auth.eu-west-1.amazoncognito.com/oauth2/token');
    expect(storage.length).toBe(0);
    await expect(completeSignIn(config, `?code=C&state=${state}`, storage, fetchImpl as typeof fetch)).rejects.toThrow(
      'state does not match',
    );
  });
});
