import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { UnauthenticatedError } from '../../../core/errors.js';
import type { Identity, TokenVerifier } from '../../../core/ports/token-verifier.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller; set by the auth plugin on every route it guards, null elsewhere. */
    identity: Identity | null;
  }
}

export interface AuthPluginOptions {
  verifier: TokenVerifier;
}

/** Longer headers are refused before verification: no legitimate JWT of ours comes near this. */
const MAX_TOKEN_LENGTH = 8192;
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Guards every route of the scope it is registered in: `Authorization: Bearer <jwt>` verified by the TokenVerifier,
 * the identity put on `request.identity`. It runs on onRequest, before the body is read.
 */
const authPlugin: FastifyPluginAsync<AuthPluginOptions> = async (app, options) => {
  const { verifier } = options;
  if (!app.hasRequestDecorator('identity')) app.decorateRequest('identity', null);
  app.addHook('onRequest', async (request) => {
    request.identity = await verifier.verify(bearerToken(request));
  });
};

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (!header || !/^Bearer(?: |$)/i.test(header)) {
    throw new UnauthenticatedError('send an Authorization: Bearer <token> header', { details: { credentials: 'missing' } });
  }
  const match = header.length <= MAX_TOKEN_LENGTH + 16 ? BEARER.exec(header) : null;
  if (!match?.[1]) throw new UnauthenticatedError('invalid token: the bearer token is malformed');
  return match[1];
}

/** The caller of a guarded route; throws if a route forgot to sit behind the auth plugin. */
export function callerOf(request: FastifyRequest): Identity {
  if (!request.identity) throw new UnauthenticatedError('this route requires authentication', { details: { credentials: 'missing' } });
  return request.identity;
}

export default fp(authPlugin, { fastify: '5.x', name: 'voice-assistant-auth' });
