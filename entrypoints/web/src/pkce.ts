/** Authorization code + PKCE (RFC 7636) for the Cognito hosted UI on the aws profile. */
export interface CognitoConfig {
  kind: 'cognito';
  /** The hosted UI's domain, e.g. https://example.auth.eu-west-1.amazoncognito.com */
  domain: string;
  clientId: string;
  redirectUri: string;
  scopes?: string[];
}

/** base64url without padding. */
export function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A code verifier: 32 random bytes as 43 base64url characters (RFC 7636 §4.1 allows 43 to 128). */
export function createVerifier(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  return base64Url(random(new Uint8Array(32)));
}

/** The S256 code challenge of a verifier: base64url(SHA-256(ASCII(verifier))). */
export async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

/** The hosted UI's authorize URL for a challenge and a state. */
export function authorizeUrl(config: CognitoConfig, challenge: string, state: string): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: (config.scopes ?? ['openid', 'email', 'profile']).join(' '),
    code_challenge_method: 'S256',
    code_challenge: challenge,
    state,
  });
  return `${config.domain.replace(/\/$/, '')}/oauth2/authorize?${params.toString()}`;
}

/** The token request body exchanging an authorization code (with its verifier) for tokens. */
export function tokenRequestBody(config: CognitoConfig, code: string, verifier: string): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    code,
    code_verifier: verifier,
  });
}

/** What the callback URL carries: the code, or the error the hosted UI reported; the state must match ours. */
export function readCallback(search: string, expectedState: string | null): { code: string } | { error: string } {
  const params = new URLSearchParams(search);
  const error = params.get('error');
  if (error) return { error: params.get('error_description') ?? error };
  const code = params.get('code');
  if (!code) return { error: 'the sign-in callback carries no code' };
  if (!expectedState || params.get('state') !== expectedState) return { error: 'the sign-in state does not match' };
  return { code };
}

const VERIFIER_KEY = 'pkce.verifier';
const STATE_KEY = 'pkce.state';

/** Starts the hosted UI sign-in: keeps the verifier and state for the callback, then navigates away. */
export async function beginSignIn(config: CognitoConfig, storage: Storage = sessionStorage): Promise<string> {
  const verifier = createVerifier();
  const state = createVerifier();
  storage.setItem(VERIFIER_KEY, verifier);
  storage.setItem(STATE_KEY, state);
  return authorizeUrl(config, await challengeOf(verifier), state);
}

/** Finishes the sign-in on the callback page: the code exchanged for an ID token (the API's bearer). */
export async function completeSignIn(
  config: CognitoConfig,
  search: string,
  storage: Storage = sessionStorage,
  fetchImpl: typeof fetch = fetch,
): Promise<{ token: string; expiresIn: number }> {
  const callback = readCallback(search, storage.getItem(STATE_KEY));
  const verifier = storage.getItem(VERIFIER_KEY);
  storage.removeItem(STATE_KEY);
  storage.removeItem(VERIFIER_KEY);
  if ('error' in callback) throw new Error(callback.error);
  if (!verifier) throw new Error('the sign-in was not started in this tab');
  const response = await fetchImpl(`${config.domain.replace(/\/$/, '')}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: tokenRequestBody(config, callback.code, verifier),
  });
  if (!response.ok) throw new Error(`the token exchange failed (${response.status})`);
  const tokens = (await response.json()) as { id_token?: string; expires_in?: number };
  if (!tokens.id_token) throw new Error('the token response carries no id_token');
  return { token: tokens.id_token, expiresIn: tokens.expires_in ?? 3600 };
}
