import { AsyncLocalStorage } from 'node:async_hooks';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { UnauthenticatedError } from '../../../core/errors.js';
import type { IoOptions } from '../../../core/model/io.js';
import type { Identity } from '../../../core/model/identity.js';
import type { TokenVerifier } from '../../../core/ports/token-verifier.js';

type Claims = Record<string, unknown>;

/** The claims API Gateway's Cognito authorizer verified for the current invocation, if it ran one. */
const verifiedClaims = new AsyncLocalStorage<Claims | undefined>();

const MAX_SUBJECT_LENGTH = 256;

/** Runs one invocation with the claims its authorizer verified in scope, for `AuthorizerAwareTokenVerifier`. */
export function withAuthorizerClaims<R>(event: unknown, run: () => Promise<R>): Promise<R> {
  return verifiedClaims.run(authorizerClaimsOf(event), run);
}

/**
 * The claims of an API Gateway event whose authorizer already verified the token: REST APIs (v1) put a Cognito user
 * pool authorizer's claims in `requestContext.authorizer.claims`, HTTP APIs (v2) a JWT authorizer's in
 * `requestContext.authorizer.jwt.claims`. Only API Gateway writes these; a client cannot.
 */
export function authorizerClaimsOf(event: unknown): Claims | undefined {
  const context = (event as Partial<APIGatewayProxyEvent> | undefined)?.requestContext as
    APIGatewayProxyEvent['requestContext'] | APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'] | undefined;
  const authorizer = context?.authorizer as { claims?: unknown; jwt?: { claims?: unknown } } | undefined;
  const claims = authorizer?.jwt?.claims ?? authorizer?.claims;
  return claims && typeof claims === 'object' ? (claims as Claims) : undefined;
}

/**
 * The API function's TokenVerifier: when API Gateway's authorizer has verified the caller, the identity comes from its
 * claims and the token is not verified a second time (no JWKS fetch on a cold start); otherwise the configured
 * verifier checks the token itself, as on the server.
 */
export class AuthorizerAwareTokenVerifier implements TokenVerifier {
  constructor(private readonly fallback: TokenVerifier) {}

  async verify(request: { token: string } & IoOptions): Promise<Identity> {
    const claims = verifiedClaims.getStore();
    return claims ? identityOf(claims) : this.fallback.verify(request);
  }
}

function identityOf(claims: Claims): Identity {
  const subject = claims.sub;
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH) {
    throw new UnauthenticatedError('invalid token: the authorizer passed no usable subject claim');
  }
  return { userId: subject, scopes: scopesOf(claims) };
}

/** Access tokens carry `scope` (space separated; REST APIs pass it as text); ID tokens carry groups instead. */
function scopesOf(claims: Claims): string[] {
  const { scope } = claims;
  if (typeof scope === 'string') return scope.split(' ').filter((s) => s.length > 0);
  if (Array.isArray(scope)) return scope.filter((s): s is string => typeof s === 'string');
  const groups = claims['cognito:groups'];
  if (Array.isArray(groups)) return groups.filter((g): g is string => typeof g === 'string');
  // REST APIs flatten arrays to "[a b]" text.
  if (typeof groups === 'string')
    return groups
      .replace(/^\[|\]$/g, '')
      .split(/[\s,]+/)
      .filter((g) => g.length > 0);
  return [];
}
