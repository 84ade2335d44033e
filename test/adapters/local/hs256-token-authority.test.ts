import { randomBytes } from 'node:crypto';
import { createSigner, type Algorithm } from 'fast-jwt';
import { describe, expect, it } from 'vitest';
import { Hs256TokenAuthority } from '../../../adapters/local/hs256-token-authority.js';
import { UnauthenticatedError, ValidationError } from '../../../core/errors.js';
import { describeTokenVerifierContract, type Claims } from '../../contract/token-verifier.contract.js';
import { FixedClock } from '../../doubles/fixed-clock.js';

const ISSUER = 'https://assistant.local';
const AUDIENCE = 'voice-assistant';

function signer(secret: Buffer, algorithm: Algorithm) {
  const sign = createSigner({ key: secret, algorithm, noTimestamp: true });
  return async (claims: Claims) => {
    const now = Math.floor(Date.now() / 1000);
    const merged: Claims = { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: now, exp: now + 3600, ...claims };
    return sign(Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)));
  };
}

const decode = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describeTokenVerifierContract('Hs256TokenAuthority', async () => {
  const secret = randomBytes(32);
  const mintHs256 = signer(secret, 'HS256');
  const mintHs512 = signer(secret, 'HS512');
  return {
    verifier: new Hs256TokenAuthority({ secret, issuer: ISSUER, audience: AUDIENCE }),
    mint: (claims, options) => (options?.otherAlgorithm ? mintHs512(claims) : mintHs256(claims)),
    mintForeign: signer(randomBytes(32), 'HS256'),
  };
});

describe('Hs256TokenAuthority', () => {
  const secret = 'a-local-development-secret-of-32+bytes';

  it('refuses a secret shorter than 32 bytes, as a string or a buffer', async () => {
    // Act & Assess
    expect(() => new Hs256TokenAuthority({ secret: 'x'.repeat(31), issuer: ISSUER, audience: AUDIENCE })).toThrow(
      ValidationError,
    );
    expect(() => new Hs256TokenAuthority({ secret: randomBytes(31), issuer: ISSUER, audience: AUDIENCE })).toThrow(
      ValidationError,
    );
    expect(
      () => new Hs256TokenAuthority({ secret: randomBytes(32), issuer: ISSUER, audience: AUDIENCE }),
    ).not.toThrow();
  });

  it('mints an HS256 token with iat, exp, iss, aud, sub, jti and scope that it then accepts', async () => {
    // Prepare
    const clock = new FixedClock(new Date());
    const authority = new Hs256TokenAuthority({
      secret,
      issuer: ISSUER,
      audience: AUDIENCE,
      clock,
      newId: () => 'jti-1',
    });

    // Act
    const token = await authority.mint({ userId: 'alice', ttlSeconds: 600, scopes: ['chat', 'admin'] });

    // Assess
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(header.alg).toBe('HS256');
    const iat = Math.floor(clock.now().getTime() / 1000);
    expect(decode(token)).toEqual({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'alice',
      jti: 'jti-1',
      iat,
      exp: iat + 600,
      scope: 'chat admin',
    });
    await expect(authority.verify({ token })).resolves.toEqual({ userId: 'alice', scopes: ['chat', 'admin'] });
  });

  it('gives every token its own jti by default', async () => {
    const authority = new Hs256TokenAuthority({ secret, issuer: ISSUER, audience: AUDIENCE });
    const first = decode(await authority.mint({ userId: 'alice', ttlSeconds: 60 }));
    const second = decode(await authority.mint({ userId: 'alice', ttlSeconds: 60 }));
    expect(first.jti).toEqual(expect.any(String));
    expect(first.jti).not.toBe(second.jti);
    expect(first.scope).toBeUndefined();
  });

  it('judges expiry by the injected clock, with the configured tolerance', async () => {
    // Prepare
    const clock = new FixedClock(new Date('2030-01-01T00:00:00Z'));
    const strict = new Hs256TokenAuthority({ secret, issuer: ISSUER, audience: AUDIENCE, clock });
    const lenient = new Hs256TokenAuthority({
      secret,
      issuer: ISSUER,
      audience: AUDIENCE,
      clock,
      clockToleranceSeconds: 30,
    });
    const token = await strict.mint({ userId: 'alice', ttlSeconds: 60 });

    // Act
    clock.advance(59_000);
    await expect(strict.verify({ token })).resolves.toMatchObject({ userId: 'alice' });
    clock.advance(2_000);

    // Assess
    await expect(strict.verify({ token })).rejects.toThrow(/expired/);
    await expect(lenient.verify({ token })).resolves.toMatchObject({ userId: 'alice' });
    clock.advance(30_000);
    await expect(lenient.verify({ token })).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('rejects a token minted in the future beyond the tolerance (nbf)', async () => {
    // Prepare
    const issuerClock = new FixedClock(new Date('2030-01-01T00:10:00Z'));
    const verifierClock = new FixedClock(new Date('2030-01-01T00:00:00Z'));
    const issuedAt = Math.floor(issuerClock.now().getTime() / 1000);
    const sign = createSigner({ key: secret, algorithm: 'HS256', noTimestamp: true });
    const token = sign({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'alice',
      iat: issuedAt,
      nbf: issuedAt,
      exp: issuedAt + 3600,
    });
    const verifier = new Hs256TokenAuthority({
      secret,
      issuer: ISSUER,
      audience: AUDIENCE,
      clock: verifierClock,
      clockToleranceSeconds: 60,
    });

    // Act & Assess
    await expect(verifier.verify({ token })).rejects.toThrow(/not valid yet/);
    verifierClock.advance(9 * 60_000 + 1_000);
    await expect(verifier.verify({ token })).resolves.toMatchObject({ userId: 'alice' });
  });

  it('refuses to mint without a positive whole lifetime or a user', async () => {
    const authority = new Hs256TokenAuthority({ secret, issuer: ISSUER, audience: AUDIENCE });
    await expect(authority.mint({ userId: 'alice', ttlSeconds: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(authority.mint({ userId: 'alice', ttlSeconds: 1.5 })).rejects.toBeInstanceOf(ValidationError);
    await expect(authority.mint({ userId: '', ttlSeconds: 60 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('does not accept its tokens under another issuer or audience', async () => {
    const token = await new Hs256TokenAuthority({ secret, issuer: ISSUER, audience: AUDIENCE }).mint({
      userId: 'alice',
      ttlSeconds: 60,
    });
    await expect(
      new Hs256TokenAuthority({ secret, issuer: 'other', audience: AUDIENCE }).verify({ token }),
    ).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(
      new Hs256TokenAuthority({ secret, issuer: ISSUER, audience: 'other' }).verify({ token }),
    ).rejects.toBeInstanceOf(UnauthenticatedError);
  });

  it('on the system clock, answers a verified token from its cache only until the token expires, and never a forgery of it', async () => {
    // Prepare: the default (system) clock uses the shared verifier and its cache of verified tokens
    const authority = new Hs256TokenAuthority({ secret, issuer: ISSUER, audience: AUDIENCE });
    const token = await authority.mint({ userId: 'alice', ttlSeconds: 1 });
    const [header, payload, signature = ''] = token.split('.');
    const forged = `${header}.${payload}.${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;

    // Act & Assess
    expect(authority.knownIdentity(token)).toBeUndefined();
    await expect(authority.verify({ token })).resolves.toEqual({ userId: 'alice', scopes: [] });
    expect(authority.knownIdentity(token)).toEqual({ userId: 'alice', scopes: [] });
    await expect(authority.verify({ token })).resolves.toEqual({ userId: 'alice', scopes: [] });
    await expect(authority.verify({ token: forged })).rejects.toThrow(/signature/);
    expect(authority.knownIdentity(forged)).toBeUndefined();
    const exp = (decode(token).exp as number) * 1000;
    await new Promise((resolve) => setTimeout(resolve, exp - Date.now() + 50));
    expect(authority.knownIdentity(token)).toBeUndefined();
    await expect(authority.verify({ token })).rejects.toThrow(/expired/);
  });

  it('knows no token on an injected clock, where every verification checks the token again', async () => {
    const authority = new Hs256TokenAuthority({ secret, issuer: ISSUER, audience: AUDIENCE, clock: new FixedClock() });
    const token = await authority.mint({ userId: 'alice', ttlSeconds: 60 });
    await expect(authority.verify({ token })).resolves.toEqual({ userId: 'alice', scopes: [] });
    expect(authority.knownIdentity(token)).toBeUndefined();
  });
});
