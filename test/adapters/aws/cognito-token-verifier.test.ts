/**
 * CognitoTokenVerifier against cognito-local, the Cognito emulator, run as a child process on a loopback port.
 *
 * How the contract suite gets its `mint`: cognito-local signs every token with one RSA key that ships inside its npm
 * package (`lib/keys/cognitoLocal.private.json`), so the suite signs arbitrary claims with the emulator's own key and
 * the verifier checks them against the JWKS that the running emulator serves. `mintForeign` uses a fresh RSA key under
 * the emulator's `kid`, as a forger would; `otherAlgorithm` signs HS256 with the public key as the HMAC secret (the
 * classic algorithm-confusion attack). Cognito access tokens name their app client in `client_id` and carry no `aud`,
 * so the harness writes the suite's audience into `client_id`.
 *
 * Two routes through the adapter are covered:
 * - emulator route (`issuer` set): pool ids like `local_ab12cd34` fail CognitoJwtVerifier's pool-id check and it
 *   derives the issuer from the pool id, so the adapter uses the generic JwtVerifier with the same Cognito checks;
 * - AWS route (no `issuer`): CognitoJwtVerifier itself, with a realistic pool id and a locally generated key served
 *   as the pre-loaded JWKS. A fetcher that refuses to be called proves no request leaves the machine.
 *
 * Then tokens that cognito-local issued through USER_PASSWORD_AUTH are verified for real: access and ID tokens,
 * groups, another app client, another pool, expiry (by moving the verifier's clock), required scopes, JWKS
 * download and outage. aws-jwt-verify's own fetcher speaks only HTTPS, so the emulator's http JWKS reaches the
 * verifier either pre-loaded (`jwks`) or through an injected fetcher that only talks to 127.0.0.1.
 */
import { createHmac, createPublicKey, generateKeyPairSync, sign as signWith, type KeyObject } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CognitoTokenVerifier, type Jwks, type JwksFetcher } from '../../../adapters/aws/cognito-token-verifier.js';
import { DependencyUnavailableError, ErrorCodes, UnauthenticatedError, ValidationError } from '../../../core/errors.js';
import { describeTokenVerifierContract, type Claims } from '../../contract/token-verifier.contract.js';
import {
  cognitoLocalSigningKey,
  createPool,
  loopbackRequest,
  signIn,
  startCognitoLocal,
  type CognitoLocal,
  type PoolUser,
} from '../../fakes/aws/cognito-local.js';

type Signer = (claims: Claims) => Promise<string>;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const defined = (claims: Claims) =>
  Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));

function rs256(key: KeyObject | string, kid: string): Signer {
  return async (claims) => {
    const input = `${b64url({ alg: 'RS256', typ: 'JWT', kid })}.${b64url(defined(claims))}`;
    return `${input}.${signWith('sha256', Buffer.from(input), key).toString('base64url')}`;
  };
}

function hs256(secret: string, kid: string): Signer {
  return async (claims) => {
    const input = `${b64url({ alg: 'HS256', typ: 'JWT', kid })}.${b64url(defined(claims))}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };
}

/** Valid Cognito access-token claims for the pool and client, overridden by `claims`; the suite's `aud` is the client. */
function accessTokenClaims(issuer: string, clientId: string, claims: Claims): Claims {
  const now = nowSeconds();
  const merged: Claims = {
    iss: issuer,
    aud: clientId,
    token_use: 'access',
    sub: 'user-1',
    iat: now,
    exp: now + 3600,
    ...claims,
  };
  const { aud, ...rest } = merged;
  return { ...rest, client_id: aud };
}

function rsaKey(kid: string): { privateKey: KeyObject; jwks: Jwks } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  return { privateKey, jwks: { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] } as Jwks };
}

/** Reaches only the loopback emulator and counts its downloads; aws-jwt-verify's own fetcher refuses plain http. */
function loopbackFetcher(fetched: string[]): JwksFetcher {
  return {
    fetch: async (uri) => {
      fetched.push(uri);
      const { status, body } = await loopbackRequest(uri);
      if (status !== 200) throw new Error(`HTTP ${status} from ${uri}`);
      return new Uint8Array(body).buffer;
    },
  };
}

const refusingFetcher: JwksFetcher = {
  fetch: async (uri) => {
    throw new Error(`this test expects no JWKS download, yet ${uri} was requested`);
  },
};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the token was accepted'),
    (error: unknown) => error,
  );
}

async function expectRejected(
  verifier: CognitoTokenVerifier,
  token: string,
  reason: string,
): Promise<UnauthenticatedError> {
  const error = await rejection(verifier.verify({ token }));
  expect(error).toBeInstanceOf(UnauthenticatedError);
  expect((error as UnauthenticatedError).details).toEqual({ reason });
  expect((error as UnauthenticatedError).message).toMatch(/^CognitoTokenVerifier: /);
  return error as UnauthenticatedError;
}

const alice: PoolUser = { username: 'alice@example.com', password: 'Alice-password-1', groups: ['listeners'] };
const bob: PoolUser = { username: 'bob@example.com', password: 'Bob-password-1' };

let cognito: CognitoLocal;
let poolA: Awaited<ReturnType<typeof createPool>>;
let poolB: Awaited<ReturnType<typeof createPool>>;
let emulatorJwks: Jwks;
// RSA key generation takes a noticeable moment, so each key is made once per file rather than once per test.
let foreignKey: KeyObject;
let awsPoolKey: ReturnType<typeof rsaKey>;

beforeAll(async () => {
  cognito = await startCognitoLocal();
  poolA = await createPool(cognito, { name: 'assistant', clients: ['voice-app', 'other-app'], users: [alice] });
  poolB = await createPool(cognito, { name: 'elsewhere', clients: ['their-app'], users: [bob] });
  const { body } = await loopbackRequest(`${cognito.issuerOf(poolA.userPoolId)}/.well-known/jwks.json`);
  emulatorJwks = JSON.parse(body.toString('utf8')) as Jwks;
  foreignKey = rsaKey(cognitoLocalSigningKey().kid).privateKey;
  awsPoolKey = rsaKey('pool-key-1');
});

afterAll(async () => {
  await cognito?.stop();
});

describeTokenVerifierContract('CognitoTokenVerifier (emulator route, cognito-local signing key)', async () => {
  const issuer = cognito.issuerOf(poolA.userPoolId);
  const clientId = poolA.clientIds[0] ?? '';
  const { pem, kid } = cognitoLocalSigningKey();
  const publicPem = createPublicKey(pem).export({ format: 'pem', type: 'spki' }).toString();
  const own = rs256(pem, kid);
  const confused = hs256(publicPem, kid);
  const foreign = rs256(foreignKey, kid);
  return {
    verifier: new CognitoTokenVerifier({
      userPoolId: poolA.userPoolId,
      clientId,
      tokenUse: 'access',
      issuer,
      jwks: emulatorJwks,
      fetcher: refusingFetcher,
    }),
    mint: (claims, options) => (options?.otherAlgorithm ? confused : own)(accessTokenClaims(issuer, clientId, claims)),
    mintForeign: (claims) => foreign(accessTokenClaims(issuer, clientId, claims)),
  };
});

describeTokenVerifierContract(
  'CognitoTokenVerifier (AWS route, CognitoJwtVerifier with a pre-loaded JWKS)',
  async () => {
    const userPoolId = 'eu-west-1_Contract1';
    const issuer = `https://cognito-idp.eu-west-1.amazonaws.com/${userPoolId}`;
    const clientId = 'contract-client';
    const { privateKey, jwks } = awsPoolKey;
    const publicPem = createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString();
    const own = rs256(privateKey, 'pool-key-1');
    const confused = hs256(publicPem, 'pool-key-1');
    const foreign = rs256(foreignKey, 'pool-key-1');
    return {
      verifier: new CognitoTokenVerifier({ userPoolId, clientId, tokenUse: 'access', jwks, fetcher: refusingFetcher }),
      mint: (claims, options) =>
        (options?.otherAlgorithm ? confused : own)(accessTokenClaims(issuer, clientId, claims)),
      mintForeign: (claims) => foreign(accessTokenClaims(issuer, clientId, claims)),
    };
  },
);

describe('CognitoTokenVerifier with tokens cognito-local issued', () => {
  const verifierFor = (options: Partial<ConstructorParameters<typeof CognitoTokenVerifier>[0]> = {}) =>
    new CognitoTokenVerifier({
      userPoolId: poolA.userPoolId,
      clientId: poolA.clientIds[0] ?? '',
      tokenUse: 'access',
      issuer: cognito.issuerOf(poolA.userPoolId),
      jwks: emulatorJwks,
      fetcher: refusingFetcher,
      ...options,
    });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves the user of a real access token, with its OAuth scopes', async () => {
    const { accessToken } = await signIn(cognito, poolA.clientIds[0] ?? '', alice);
    await expect(verifierFor().verify({ token: accessToken })).resolves.toEqual({
      userId: poolA.subs.get(alice.username),
      scopes: ['aws.cognito.signin.user.admin'],
    });
  });

  it("resolves an ID token with the user's groups as scopes, and keeps access and ID tokens apart", async () => {
    // Prepare
    const { accessToken, idToken } = await signIn(cognito, poolA.clientIds[0] ?? '', alice);
    const idVerifier = verifierFor({ tokenUse: 'id' });

    // Act & Assess
    await expect(idVerifier.verify({ token: idToken })).resolves.toEqual({
      userId: poolA.subs.get(alice.username),
      scopes: ['listeners'],
    });
    await expectRejected(idVerifier, accessToken, 'invalid_token_use');
    await expectRejected(verifierFor(), idToken, 'invalid_token_use');
  });

  it("rejects another app client's token unless that client is listed too", async () => {
    const { accessToken, idToken } = await signIn(cognito, poolA.clientIds[1] ?? '', alice);
    await expectRejected(verifierFor(), accessToken, 'invalid_client');
    await expectRejected(verifierFor({ tokenUse: 'id' }), idToken, 'invalid_client');
    await expect(verifierFor({ clientId: [...poolA.clientIds] }).verify({ token: accessToken })).resolves.toMatchObject(
      { userId: poolA.subs.get(alice.username) },
    );
  });

  it("rejects another pool's token although the emulator signs it with the same key", async () => {
    const { accessToken } = await signIn(cognito, poolB.clientIds[0] ?? '', bob);
    await expectRejected(verifierFor(), accessToken, 'invalid_issuer');
    await expectRejected(verifierFor({ clientId: poolB.clientIds[0] ?? '' }), accessToken, 'invalid_issuer');
  });

  it('rejects a real token once it has expired, judged by the clock of the verifying process', async () => {
    // Prepare
    const { accessToken } = await signIn(cognito, poolA.clientIds[0] ?? '', alice);
    const { exp } = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp: number;
    };
    vi.useFakeTimers({ toFake: ['Date'] });

    // Act & Assess
    vi.setSystemTime((exp + 1) * 1000);
    const error = await expectRejected(verifierFor(), accessToken, 'expired');
    expect(error.message).toContain('expired');
    await expect(verifierFor({ graceSeconds: 60 }).verify({ token: accessToken })).resolves.toMatchObject({
      userId: poolA.subs.get(alice.username),
    });
  });

  it('demands one of the required scopes (access) or groups (id) when they are configured', async () => {
    const { accessToken, idToken } = await signIn(cognito, poolA.clientIds[0] ?? '', alice);
    await expectRejected(verifierFor({ scopes: ['voice-assistant/admin'] }), accessToken, 'missing_scope');
    await expect(
      verifierFor({ scopes: ['voice-assistant/admin', 'aws.cognito.signin.user.admin'] }).verify({
        token: accessToken,
      }),
    ).resolves.toBeDefined();
    await expectRejected(verifierFor({ tokenUse: 'id', scopes: ['admins'] }), idToken, 'missing_scope');
    await expect(
      verifierFor({ tokenUse: 'id', scopes: ['listeners'] }).verify({ token: idToken }),
    ).resolves.toBeDefined();
  });

  it('downloads the JWKS once when none was pre-loaded, and again only for a key it does not know', async () => {
    // Prepare
    const fetched: string[] = [];
    const verifier = verifierFor({ jwks: undefined, fetcher: loopbackFetcher(fetched) });
    const { accessToken } = await signIn(cognito, poolA.clientIds[0] ?? '', alice);
    const issuer = cognito.issuerOf(poolA.userPoolId);
    const unknownKey = rs256(foreignKey, 'rotated-away');

    // Act
    await verifier.verify({ token: accessToken });
    await verifier.verify({ token: accessToken });
    const afterKnownKey = fetched.length;
    await expectRejected(
      verifier,
      await unknownKey(accessTokenClaims(issuer, poolA.clientIds[0] ?? '', {})),
      'unknown_key',
    );

    // Assess
    expect(afterKnownKey).toBe(1);
    expect(fetched).toEqual([`${issuer}/.well-known/jwks.json`, `${issuer}/.well-known/jwks.json`]);
  });

  it('reports an unreachable JWKS as a retryable outage, not as a bad token', async () => {
    // Prepare
    const { accessToken } = await signIn(cognito, poolA.clientIds[0] ?? '', alice);
    const down: JwksFetcher = { fetch: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')) };

    // Act
    const error = await rejection(verifierFor({ jwks: undefined, fetcher: down }).verify({ token: accessToken }));

    // Assess
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ code: ErrorCodes.DEPENDENCY_UNAVAILABLE, retryable: true });
    expect((error as Error).message).toMatch(/^CognitoTokenVerifier: .*signing keys could not be fetched/);
    expect((error as Error).message).not.toContain(accessToken.split('.')[2]);
    expect(((error as Error).cause as Error).message).toContain('ECONNREFUSED');
  });

  it("reports aws-jwt-verify's refusal of the emulator's plain-http JWKS as an outage too", async () => {
    const { accessToken } = await signIn(cognito, poolA.clientIds[0] ?? '', alice);
    const error = await rejection(verifierFor({ jwks: undefined, fetcher: undefined }).verify({ token: accessToken }));
    expect(error).toBeInstanceOf(DependencyUnavailableError);
  });

  it('reports a JWKS document that is not a key set as an outage', async () => {
    const { accessToken } = await signIn(cognito, poolA.clientIds[0] ?? '', alice);
    const garbage: JwksFetcher = { fetch: async () => new TextEncoder().encode('<html>maintenance</html>').buffer };
    await expect(
      verifierFor({ jwks: undefined, fetcher: garbage }).verify({ token: accessToken }),
    ).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('refuses options that cannot work', async () => {
    expect(() => new CognitoTokenVerifier({ userPoolId: 'not-a-pool', clientId: 'c', tokenUse: 'access' })).toThrow(
      ValidationError,
    );
    expect(
      () =>
        new CognitoTokenVerifier({
          userPoolId: 'local_abc',
          clientId: 'c',
          tokenUse: 'access',
          issuer: 'http://127.0.0.1:1/local_other',
        }),
    ).toThrow(/must end with \/local_abc/);
    expect(() => new CognitoTokenVerifier({ userPoolId: 'eu-west-1_abc', clientId: [], tokenUse: 'access' })).toThrow(
      ValidationError,
    );
  });
});
