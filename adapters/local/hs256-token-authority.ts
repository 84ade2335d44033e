import { randomUUID } from 'node:crypto';
import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import { UnauthenticatedError, ValidationError, throwIfAborted } from '../../core/errors.js';
import type { IoOptions } from '../../core/model/io.js';
import { systemClock } from '../../core/defaults.js';
import { type Clock } from '../../core/ports/clock.js';
import type { Identity } from '../../core/model/identity.js';
import type { TokenVerifier } from '../../core/ports/token-verifier.js';

export interface Hs256TokenAuthorityOptions {
  /** The shared HMAC secret; at least 32 bytes, as RFC 7518 §3.2 asks for HS256. */
  secret: string | Buffer;
  issuer: string;
  audience: string;
  /** Slack allowed on `exp` and `nbf` for clocks that disagree a little. */
  clockToleranceSeconds?: number;
  clock?: Clock;
  newId?: () => string;
}

export interface MintOptions {
  userId: string;
  ttlSeconds: number;
  scopes?: readonly string[];
}

const MIN_SECRET_BYTES = 32;
const MAX_SUBJECT_LENGTH = 256;
/** Verified tokens remembered at most (one per recently active client); the oldest entry makes room for a new one. */
const VERIFIED_TOKEN_CACHE_SIZE = 1000;
/** How long a verified token is answered from memory at most, whatever its expiry. */
const VERIFIED_TOKEN_CACHE_MS = 10 * 60_000;

/** A verified token's identity and the window (ms since the epoch, inclusive) in which that answer holds. */
interface VerifiedToken {
  identity: Identity;
  from: number;
  until: number;
}

/** Readable reasons per fast-jwt error code; anything else is reported as a generic invalid token. */
const REASONS: Partial<Record<string, string>> = {
  [TokenError.codes.malformed]: 'the token is malformed',
  [TokenError.codes.invalidType]: 'the token is malformed',
  [TokenError.codes.invalidAlgorithm]: 'the token is signed with an algorithm that is not accepted',
  [TokenError.codes.missingSignature]: 'the token is not signed',
  [TokenError.codes.invalidSignature]: 'the token signature is invalid',
  [TokenError.codes.expired]: 'the token has expired',
  [TokenError.codes.inactive]: 'the token is not valid yet',
  [TokenError.codes.missingRequiredClaim]: 'the token lacks a required claim',
  [TokenError.codes.invalidClaimType]: 'the token has a claim of the wrong type',
  [TokenError.codes.invalidClaimValue]: 'the token was issued by another issuer or for another audience',
  [TokenError.codes.invalidCritHeader]: 'the token has an unsupported critical header',
};

/**
 * Issues and verifies HS256 JWTs with a shared secret: the local profile's stand-in for Cognito.
 * Only HS256 is accepted, so `alg: none` and algorithm-confusion tokens fail before any claim is read.
 */
export class Hs256TokenAuthority implements TokenVerifier {
  private readonly secret: Buffer;
  private readonly issuer: string;
  private readonly audience: string;
  private readonly toleranceMs: number;
  private readonly clock: Clock;
  private readonly newId: () => string;
  /** Built once on the system clock (fast-jwt then reads Date.now() per call); absent when a clock is injected. */
  private readonly sharedVerifier: ((token: string) => unknown) | undefined;
  /**
   * Tokens verified on the system clock, by the whole token string (signature included, so no other string can hit an
   * entry): every request after a client's first skips the decode, the HMAC and the claim checks. fast-jwt's own cache
   * keys by a SHA-256 of the token, which cost as much per request as the rest of authentication; its warning about
   * custom cache keys is about keys that can collide, which a whole token cannot. Failures are never remembered.
   */
  private readonly verified: Map<string, VerifiedToken> | undefined;

  constructor(options: Hs256TokenAuthorityOptions) {
    this.secret =
      typeof options.secret === 'string' ? Buffer.from(options.secret, 'utf8') : Buffer.from(options.secret);
    if (this.secret.length < MIN_SECRET_BYTES) {
      throw new ValidationError(`Hs256TokenAuthority: the secret must be at least ${MIN_SECRET_BYTES} bytes`);
    }
    if (!options.issuer || !options.audience)
      throw new ValidationError('Hs256TokenAuthority: issuer and audience are required');
    const tolerance = options.clockToleranceSeconds ?? 0;
    if (!Number.isFinite(tolerance) || tolerance < 0) {
      throw new ValidationError('Hs256TokenAuthority: clockToleranceSeconds must be a non-negative number');
    }
    this.issuer = options.issuer;
    this.audience = options.audience;
    this.toleranceMs = tolerance * 1000;
    this.clock = options.clock ?? systemClock;
    this.newId = options.newId ?? randomUUID;
    this.sharedVerifier = options.clock === undefined ? this.createVerifier(undefined) : undefined;
    this.verified = options.clock === undefined ? new Map() : undefined;
  }

  /** Only HS256 with this secret, issuer and audience; remembering verified tokens is `verify`'s business. */
  private createVerifier(clockTimestamp: number | undefined) {
    return createVerifier({
      key: this.secret,
      algorithms: ['HS256'],
      allowedIss: this.issuer,
      allowedAud: this.audience,
      requiredClaims: ['sub', 'exp', 'iss', 'aud'],
      ...(clockTimestamp !== undefined && { clockTimestamp }),
      clockTolerance: this.toleranceMs,
      cache: false,
    });
  }

  /** A token verified before, within the window its verification holds for (see `verify`); never a failure. */
  knownIdentity(token: string): Identity | undefined {
    const known = this.verified?.get(token);
    if (!known) return undefined;
    const now = Date.now();
    return now >= known.from && now <= known.until ? known.identity : undefined;
  }

  async verify({ token, signal }: { token: string } & IoOptions): Promise<Identity> {
    throwIfAborted(signal);
    if (typeof token !== 'string' || token.length === 0) throw new UnauthenticatedError('no token was presented');
    const verified = this.verified;
    if (!verified) return this.check(token).identity;
    const known = this.knownIdentity(token);
    if (known) return known;
    const now = Date.now();
    const { identity, payload } = this.check(token);
    // The window fast-jwt's own cache gave an answer: from `nbf` until the earliest of `exp` and 10 minutes from now,
    // each widened by the clock tolerance as the checks themselves are (`exp` is required, and a number once verified).
    const until = Math.min(
      now + this.toleranceMs + VERIFIED_TOKEN_CACHE_MS,
      Number(payload.exp) * 1000 + this.toleranceMs,
    );
    const from = typeof payload.nbf === 'number' ? payload.nbf * 1000 - this.toleranceMs : 0;
    if (verified.size >= VERIFIED_TOKEN_CACHE_SIZE) verified.delete(verified.keys().next().value!);
    verified.set(token, { identity, from, until });
    return identity;
  }

  /** Verifies the token now (signature, algorithm, claims) and reads the identity from it. */
  private check(token: string): { identity: Identity; payload: Record<string, unknown> } {
    let payload: Record<string, unknown>;
    try {
      // fast-jwt fixes an explicit time per verifier, so an injected clock gets one built per call (tests only).
      const verifier = this.sharedVerifier ?? this.createVerifier(this.clock.now().getTime());
      payload = verifier(token) as Record<string, unknown>;
    } catch (error) {
      const code = error instanceof TokenError ? error.code : undefined;
      throw new UnauthenticatedError(`invalid token: ${(code && REASONS[code]) ?? 'the token could not be verified'}`, {
        details: { reason: code ?? 'unknown' },
      });
    }
    const subject = payload.sub;
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH) {
      throw new UnauthenticatedError('invalid token: the subject claim is missing or malformed', {
        details: { reason: 'invalid_subject' },
      });
    }
    const scope = payload.scope;
    const scopes = typeof scope === 'string' ? scope.split(' ').filter((s) => s.length > 0) : [];
    // Frozen: a remembered identity is handed to every later request with the same token.
    return { identity: Object.freeze({ userId: subject, scopes: Object.freeze(scopes) }), payload };
  }

  /** Signs a token for `userId` valid for `ttlSeconds` from the clock's now. */
  async mint(options: MintOptions): Promise<string> {
    if (!options.userId || options.userId.length > MAX_SUBJECT_LENGTH)
      throw new ValidationError('Hs256TokenAuthority: userId is required');
    if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds <= 0) {
      throw new ValidationError('Hs256TokenAuthority: ttlSeconds must be a positive integer');
    }
    const signer = createSigner({
      key: this.secret,
      algorithm: 'HS256',
      clockTimestamp: this.clock.now().getTime(),
      expiresIn: options.ttlSeconds * 1000,
      iss: this.issuer,
      aud: this.audience,
      sub: options.userId,
      jti: this.newId(),
    });
    const scopes = options.scopes ?? [];
    return signer(scopes.length > 0 ? { scope: scopes.join(' ') } : {});
  }
}
