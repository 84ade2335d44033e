import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sendProblem } from '../problem.js';
import { HealthSchema, problemResponses, ReadySchema } from '../schemas.js';

export interface HealthRoutesOptions {
  /** Probes each dependency; a value other than 'ok' says what is wrong with it. */
  readiness?: () => Promise<Record<string, string>>;
  version?: string;
}

/** Liveness and readiness probes: unauthenticated, not rate limited, cheap. */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, { readiness, version }) => {
  app.get(
    '/health',
    { schema: { summary: 'Liveness: the process answers', tags: ['health'], response: { 200: HealthSchema } } },
    async () => ({ status: 'ok' as const, ...(version !== undefined && { version }) }),
  );

  app.get(
    '/ready',
    {
      schema: {
        summary: 'Readiness: every dependency answers',
        tags: ['health'],
        response: { 200: ReadySchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      let checks: Record<string, string>;
      try {
        checks = readiness ? await readiness() : {};
      } catch (error) {
        request.log.warn({ err: error }, 'readiness probe failed');
        checks = { readiness: 'the readiness probe failed' };
      }
      const failing = Object.entries(checks).filter(([, state]) => state !== 'ok');
      if (failing.length > 0) {
        // Probes are public: the reasons (hosts, driver errors) go to the log, the caller only learns which one failed.
        request.log.warn({ checks }, 'not ready');
        return sendProblem(request, reply, {
          status: 503,
          code: 'NOT_READY',
          detail: `Not ready: ${failing.map(([name]) => name).join(', ')}.`,
          headers: { 'retry-after': '5' },
          extensions: {
            checks: Object.fromEntries(
              Object.entries(checks).map(([name, state]) => [name, state === 'ok' ? 'ok' : 'unavailable']),
            ),
          },
        });
      }
      return { status: 'ready' as const, checks };
    },
  );
};
