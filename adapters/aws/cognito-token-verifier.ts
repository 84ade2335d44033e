import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidGroupError,
  CognitoJwtInvalidTokenUseError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidScopeError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
  ParameterValidationError,
  WaitPeriodNotYetEndedJwkError,
} from 'aws-jwt-verify/error';
import { SimpleFetcher, type Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache, type Jwks, type JwksParser } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { CoreError, DependencyUnavailableError, UnauthenticatedError, ValidationError } from '../../core/errors.js';
import type { Identity } from '../../core/model/identity.js';
import type { IoOptions } from '../../core/model/io.js';
import { untilAborted } from '../shared/abort.js';
import type { TokenVerifier } from '../../core/ports/token-verifier.js';

export type { Fetcher as JwksFetcher } from 'aws-jwt-verify/https';
export type { Jwks } from 'aws-jwt-verify/jwk';

export interface CognitoTokenVerifierOptions {
  userPoolId: string;
  /** The app client(s) whose tokens are accepted: `client_id` of an access token, `aud` of an ID token. */
  clientId: string | string[];
  tokenUse: 'access' | 'id';
  /** When set, the token must carry at least one of these (access: `scope` claim; id: `cognito:groups`). */
  scopes?: string[];
  /** The pool's signing keys, pre-loaded so the first request does not wait for a JWKS download. */
  jwks?: Jwks;
  /**
   * Overrides the issuer derived from the pool id, for emulators such as cognito-local (`http://127.0.0.1:PORT/<pool>`).
   * It must still end with `/<userPoolId>`; the JWKS is then looked up at `<issuer>/.well-known/jwks.json`.
   */
  issuer?: string;
  /** Downloads the JWKS when a token names a key not cached yet; aws-jwt-verify's HTTPS-only fetcher by default. */
  fetcher?: Fetcher;
  /** Slack allowed on `exp` and `nbf` for clocks that disagree a little. */
  graceSeconds?: number;
}

const NAME = 'CognitoTokenVerifier';
const MAX_SUBJECT_LENGTH = 256;

/** Marks a failure to obtain the signing keys, so it is reported as an outage rather than as a bad token. */
class JwksUnavailable extends Error {
  constructor(message: string, options: ErrorOptions) {
    super(message, options);
    this.name = 'JwksUnavailable';
  }
}

/** Readable reasons per aws-jwt-verify error; fixed strings, so no claim value chosen by the caller reaches a log. */
const REASONS: ReadonlyArray<readonly [abstract new (...args: never[]) => Error, string, string]> = [
  [JwtParseError, 'malformed', 'the token is malformed'],
  [
    JwtInvalidSignatureAlgorithmError,
    'invalid_algorithm',
    'the token is signed with an algorithm that is not accepted',
  ],
  [JwtInvalidSignatureError, 'invalid_signature', 'the token signature is invalid'],
  [JwtWithoutValidKidError, 'unknown_key', 'the token is signed with a key the user pool does not publish'],
  [KidNotFoundInJwksError, 'unknown_key', 'the token is signed with a key the user pool does not publish'],
  [WaitPeriodNotYetEndedJwkError, 'unknown_key', 'the token is signed with a key the user pool does not publish'],
  [JwtExpiredError, 'expired', 'the token has expired'],
  [JwtNotBeforeError, 'inactive', 'the token is not valid yet'],
  [JwtInvalidIssuerError, 'invalid_issuer', 'the token was issued by another user pool'],
  // A multi-issuer verifier (CognitoJwtVerifier keeps a regional and a global issuer) rejects an unknown `iss` this way.
  [ParameterValidationError, 'invalid_issuer', 'the token was issued by another user pool'],
  [CognitoJwtInvalidClientIdError, 'invalid_client', 'the token was issued for another app client'],
  [JwtInvalidAudienceError, 'invalid_client', 'the token was issued for another app client'],
  [CognitoJwtInvalidTokenUseError, 'invalid_token_use', 'the token is of the wrong kind (access or id)'],
  [JwtInvalidScopeError, 'missing_scope', 'the token lacks a required scope'],
  [CognitoJwtInvalidGroupError, 'missing_scope', 'the token lacks a required scope'],
];

/**
 * Verifies Amazon Cognito user-pool tokens with aws-jwt-verify and maps them to an Identity.
 * A real pool goes through `CognitoJwtVerifier`, which knows both of Cognito's issuer formats. It derives the issuer
 * from the pool id and accepts no override, and emulator pool ids (`local_…`) fail its id check; so with `issuer` the
 * generic `JwtVerifier` is used, and the same Cognito checks (token_use, client id, groups) run as its custom check.
 */
export class CognitoTokenVerifier implements TokenVerifier {
  private readonly verifyPayload: (token: string) => Promise<JwtPayload>;
  private readonly tokenUse: 'access' | 'id';

  constructor(options: CognitoTokenVerifierOptions) {
    const { userPoolId, clientId, tokenUse, scopes, issuer } = options;
    if (!userPoolId || (Array.isArray(clientId) ? clientId.length === 0 : !clientId)) {
      throw new ValidationError(`${NAME}: userPoolId and clientId are required`);
    }
    if (issuer !== undefined && !issuer.replace(/\/$/, '').endsWith(`/${userPoolId}`)) {
      throw new ValidationError(`${NAME}: the issuer must end with /${userPoolId}`);
    }
    this.tokenUse = tokenUse;
    const jwksCache = new SimpleJwksCache({ fetcher: reportingFetchFailures(options.fetcher ?? new SimpleFetcher()) });
    jwksCache.jwksParser = reportingParseFailures(jwksCache.jwksParser);
    const required = scopes && scopes.length > 0 ? scopes : undefined;
    const groups = tokenUse === 'id' ? (required ?? null) : null;
    const claims = {
      ...(required && (tokenUse === 'access' ? { scope: required } : { groups: required })),
      ...(options.graceSeconds !== undefined && { graceSeconds: options.graceSeconds }),
    };
    try {
      if (issuer === undefined) {
        const verifier = CognitoJwtVerifier.create({ userPoolId, clientId, tokenUse, ...claims }, { jwksCache });
        if (options.jwks) verifier.cacheJwks(options.jwks);
        this.verifyPayload = (token) => verifier.verify(token);
      } else {
        const verifier = JwtVerifier.create(
          {
            issuer: issuer.replace(/\/$/, ''),
            audience: null,
            ...claims,
            customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { clientId, tokenUse, groups }),
          },
          { jwksCache },
        );
        if (options.jwks) verifier.cacheJwks(options.jwks);
        this.verifyPayload = (token) => verifier.verify(token);
      }
    } catch (error) {
      throw new ValidationError(`${NAME}: ${error instanceof Error ? error.message : 'invalid options'}`, {
        cause: error,
      });
    }
  }

  async verify({ token, signal }: { token: string } & IoOptions): Promise<Identity> {
    if (typeof token !== 'string' || token.length === 0)
      throw new UnauthenticatedError(`${NAME}: no token was presented`);
    let payload: JwtPayload;
    try {
      // aws-jwt-verify takes no signal; a caller that gives up stops waiting for a JWKS download it started.
      payload = await untilAborted(NAME, signal, () => this.verifyPayload(token));
    } catch (error) {
      if (error instanceof CoreError) throw error;
      throw this.toCoreError(error);
    }
    // aws-jwt-verify checks `exp` only when present; Cognito always sets it, so a token without one is not Cognito's.
    if (typeof payload.exp !== 'number') throw this.rejected('missing_expiry', 'the token has no expiry');
    const subject = payload.sub;
    if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH) {
      throw this.rejected('invalid_subject', 'the subject claim is missing or malformed');
    }
    return { userId: subject, scopes: this.scopesOf(payload) };
  }

  /** Access tokens carry OAuth scopes; ID tokens carry none, so the user's groups stand in for them. */
  private scopesOf(payload: JwtPayload): string[] {
    if (this.tokenUse === 'access') {
      return typeof payload.scope === 'string' ? payload.scope.split(' ').filter((s) => s.length > 0) : [];
    }
    const groups = payload['cognito:groups'];
    return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string' && g.length > 0) : [];
  }

  private toCoreError(error: unknown): CoreError {
    if (error instanceof JwksUnavailable) {
      return new DependencyUnavailableError(NAME, error.message, { cause: error.cause });
    }
    const match = REASONS.find(([type]) => error instanceof type);
    return this.rejected(match?.[1] ?? 'unverifiable', match?.[2] ?? 'the token could not be verified', error);
  }

  private rejected(reason: string, message: string, cause?: unknown): UnauthenticatedError {
    return new UnauthenticatedError(`${NAME}: invalid token: ${message}`, {
      details: { reason },
      ...(cause !== undefined && { cause }),
    });
  }
}

function reportingFetchFailures(fetcher: Fetcher): Fetcher {
  return {
    fetch: async (uri, requestOptions, data) => {
      try {
        return await fetcher.fetch(uri, requestOptions, data);
      } catch (error) {
        throw new JwksUnavailable(`the user pool's signing keys could not be fetched from ${uri}`, { cause: error });
      }
    },
  };
}

function reportingParseFailures(parse: JwksParser): JwksParser {
  return (body) => {
    try {
      return parse(body);
    } catch (error) {
      throw new JwksUnavailable("the user pool's signing keys are not a valid JWKS", { cause: error });
    }
  };
}
