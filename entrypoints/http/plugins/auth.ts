import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorCodes, isCoreError, UnauthenticatedError } from '../../../core/errors.js';
import type { Identity } from '../../../core/model/identity.js';
import type { TokenVerifier } from '../../../core/ports/token-verifier.js';
import { HttpProblem } from '../problem.js';
import { AuthFailureThrottle, type AuthFailureLimit } from './auth-failure-throttle.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller; set by the auth plugin on every route it guards, null elsewhere. */
    identity: Identity | null;
  }
}

export interface AuthPluginOptions {
  verifier: TokenVerifier;
  /** Throttles client addresses that keep failing authentication; off when absent. */
  failureLimit?: AuthFailureLimit;
  /** Milliseconds clock for the throttle's windows; tests move it. */
  now?: () => number;
}

/** Longer headers are refused before verification: no legitimate JWT of ours comes near this. */
const MAX_TOKEN_LENGTH = 8192;
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Guards every route of the scope it is registered in: `Authorization: Bearer <jwt>` verified by the TokenVerifier,
 * the identity put on `request.identity`. It runs on onRequest, before the body is read. buildApp calls it directly
 * on its /v1 scope (what registering it, unencapsulated, does; one avvio plugin fewer at start).
 */
export const guardWithAuth: FastifyPluginAsync<AuthPluginOptions> = async (app, options) => {
  const { verifier } = options;
  const throttle = options.failureLimit && new AuthFailureThrottle(options.failureLimit, options.now);
  if (!app.hasRequestDecorator('identity')) app.decorateRequest('identity', null);
  // A callback hook: a token the verifier already knows (`knownIdentity`, every request after a client's first) is
  // accepted without a promise or a microtask turn; any other goes through `verify`. Failures take the same path as
  // before: an unauthenticated one counts against the address, and the error goes to Fastify's error handler.
  const fail = (request: FastifyRequest, error: unknown, done: (error?: Error) => void) => {
    if (isCoreError(error) && error.code === ErrorCodes.UNAUTHENTICATED) throttle?.recordFailure(request.ip);
    done(error as Error);
  };
  app.addHook('onRequest', (request, _reply, done) => {
    const wait = throttle?.retryAfterSeconds(request.ip) ?? 0;
    if (wait > 0) {
      // Refused before verification: a client guessing tokens gets no answer about them until its window ends.
      done(
        new HttpProblem(
          429,
          'AUTH_RATE_LIMITED',
          `Too many failed authentications from this address; retry in ${wait} seconds.`,
          {
            retryAfterSeconds: wait,
          },
        ),
      );
      return;
    }
    let verdict: Promise<Identity>;
    try {
      const token = bearerToken(request);
      const known = verifier.knownIdentity?.(token);
      if (known) {
        request.identity = known;
        done();
        return;
      }
      verdict = verifier.verify({ token });
    } catch (error) {
      fail(request, error, done);
      return;
    }
    verdict.then(
      (identity) => {
        request.identity = identity;
        done();
      },
      (error: unknown) => fail(request, error, done),
    );
  });
};

/**
 * A browser cannot set headers on a WebSocket, only the subprotocol list: the voice socket takes the token as a
 * `bearer.<token>` entry there (never in the URL, where proxies and logs would keep it).
 */
function webSocketBearer(request: FastifyRequest): string | undefined {
  if (request.headers.upgrade?.toLowerCase() !== 'websocket') return undefined;
  const offered = request.headers['sec-websocket-protocol'];
  const entry = offered
    ?.split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith('bearer.'));
  return entry === undefined ? undefined : `Bearer ${entry.slice('bearer.'.length)}`;
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization ?? webSocketBearer(request);
  if (!header || !/^Bearer(?: |$)/i.test(header)) {
    throw new UnauthenticatedError('send an Authorization: Bearer <token> header', {
      details: { credentials: 'missing' },
    });
  }
  const match = header.length <= MAX_TOKEN_LENGTH + 16 ? BEARER.exec(header) : null;
  if (!match?.[1]) throw new UnauthenticatedError('invalid token: the bearer token is malformed');
  return match[1];
}

/** The caller of a guarded route; throws if a route forgot to sit behind the auth plugin. */
export function callerOf(request: FastifyRequest): Identity {
  if (!request.identity)
    throw new UnauthenticatedError('this route requires authentication', { details: { credentials: 'missing' } });
  return request.identity;
}

export default fp(guardWithAuth, { fastify: '5.x', name: 'voice-assistant-auth' });
