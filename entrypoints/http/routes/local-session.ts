import rateLimit from '@fastify/rate-limit';
import * as Type from 'typebox';
import type { FastifyPluginAsync } from 'fastify';
import { HttpProblem } from '../problem.js';
import { problemResponses } from '../schemas.js';

export interface LocalSessionOptions {
  /** Signs a local token for a user; the local profile's minter. */
  mint: (userId: string, ttlSeconds: number) => Promise<string>;
  ttlSeconds?: number;
  /** Sign-ins per client address per window; default 10 per minute. */
  limit?: { max: number; timeWindowMs: number };
}

const DEFAULT_TTL_SECONDS = 12 * 60 * 60;

const Body = Type.Object(
  { user: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' }) },
  { additionalProperties: false },
);
const Reply = Type.Object({ token: Type.String(), userId: Type.String(), expiresIn: Type.Integer() });

/**
 * `POST /v1/local/session {user}` → a local token: the web client's sign-in on the local profile, where anyone who can
 * reach the server may already mint tokens with the CLI. Never registered on the aws profile (no minter there).
 */
export const localSessionRoutes: FastifyPluginAsync<LocalSessionOptions> = async (app, options) => {
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  const limit = options.limit ?? { max: 10, timeWindowMs: 60_000 };
  await app.register(rateLimit, {
    max: limit.max,
    timeWindow: limit.timeWindowMs,
    keyGenerator: (request) => `local-session:${request.ip}`,
    errorResponseBuilder: (_request, context) =>
      new HttpProblem(429, 'RATE_LIMITED', `Too many sign-ins; retry in ${context.after}.`, {
        retryAfterSeconds: Math.ceil(context.ttl / 1000),
      }),
  });
  app.post<{ Body: { user: string } }>(
    '/session',
    {
      schema: {
        tags: ['me'],
        summary: 'Sign in on the local profile: a local token for a user name (not available on the aws profile)',
        body: Body,
        response: { 200: Reply, ...problemResponses },
      },
    },
    async (request) => {
      const token = await options.mint(request.body.user, ttlSeconds);
      return { token, userId: request.body.user, expiresIn: ttlSeconds };
    },
  );
};
