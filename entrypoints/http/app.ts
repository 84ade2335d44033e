import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { HelmetOptions } from 'helmet';
import type { ConversationService } from '../../core/conversation/conversation-service.js';
import type { HandleTurn } from '../../core/pipeline/turn-pipeline.js';
import type { TokenVerifier } from '../../core/ports/token-verifier.js';
import type { SkillRegistry } from '../../core/skills/skill-registry.js';
import { guardWithAuth } from './plugins/auth.js';
import type { AuthFailureLimit } from './plugins/auth-failure-throttle.js';
import { addSecurityHeaders, helmetHeaders, type SecurityHeaders } from './plugins/security-headers.js';
import { HttpProblem, installProblemHandlers, sendFrameworkProblem } from './problem.js';
import { conversationRoutes } from './routes/conversations.js';
import { healthRoutes } from './routes/health.js';
import { meRoutes } from './routes/me.js';
import { skillRoutes } from './routes/skills.js';
import { turnRoutes } from './routes/turns.js';
import {
  schemaController,
  type SchemaCompilation,
  type SerializerSource,
  type ValidatorSource,
} from './schema-compilers.js';
import type { VoiceRoutesOptions } from './routes/voice.js';
import type { LocalSessionOptions } from './routes/local-session.js';
import type { WebRoutesOptions } from './routes/web.js';

export interface AppOptions {
  handleTurn: HandleTurn;
  conversations: ConversationService;
  skills: SkillRegistry;
  verifier: TokenVerifier;
  /** Longest text a turn may carry; the core's own limit (`config.limits.maxTextLength`), so both refuse the same. */
  maxTextLength: number;
  /** Logger options (redaction of credentials is added), a ready pino logger (used as is), or false for none. */
  logger?: FastifyServerOptions['logger'] | FastifyBaseLogger | false;
  /** Body limit of every route but the turn route; default 1 MiB. */
  bodyLimitBytes?: number;
  /** Body limit of the turn route, which carries base64 audio; default 10 MiB. */
  audioBodyLimitBytes?: number;
  /** Largest decoded audio clip; default what base64 in `audioBodyLimitBytes` can hold. */
  maxAudioBytes?: number;
  /** Longest audio clip in seconds (`AUDIO_MAX_SECONDS`); default 30. */
  maxAudioSeconds?: number;
  /** Requests per user (per IP when unauthenticated) per window on /v1; default 120 per minute; false to disable. */
  rateLimit?: { max: number; timeWindowMs: number } | false;
  /** Failed authentications per client address per window on /v1 before it is refused; default 20 per minute; false to disable. */
  authFailureLimit?: AuthFailureLimit | false;
  /** Browser origins allowed to call the API (exact `scheme://host[:port]`); default none, so no CORS headers at all. */
  corsOrigins?: readonly string[];
  readiness?: () => Promise<Record<string, string>>;
  /** Serve the OpenAPI document and Swagger UI at /docs; default true (the Lambda API leaves them out of its bundle). */
  docs?: boolean;
  /** The voice WebSocket at /v1/voice (protocol voice.v1); absent, there is none (the Lambda API has none). */
  voice?: Omit<VoiceRoutesOptions, 'handleTurn'>;
  /** Stream turn replies as server-sent events to clients that accept them; default true (false on Lambda). */
  streaming?: boolean;
  /** The built web client served at `/` with its /config.json (local profile); absent, no pages at all. */
  web?: WebRoutesOptions;
  /** `POST /v1/local/session`: sign-in by user name for the web client; only the local profile passes this. */
  localSession?: LocalSessionOptions;
  version?: string;
  trustProxy?: boolean;
  /** When route validators and serializers are compiled; default at start (the Lambda API: on first use). */
  compileSchemas?: SchemaCompilation;
  /** Response serializers generated ahead of time (the Lambda bundle), or to generate; default fast-json-stringify's. */
  serializers?: SerializerSource;
  /** Route checks generated ahead of time (the Lambda bundle), or the schema parts to generate them for; default none. */
  validators?: ValidatorSource;
  /**
   * The API's security headers, worked out when the Lambda bundle was built (`helmetHeaders(API_HELMET_OPTIONS)`);
   * default worked out at start (running helmet costs a cold start ~2 ms).
   */
  securityHeaders?: SecurityHeaders;
}

/** The API answers JSON only: nothing may be loaded, framed or sniffed. /docs sets its own, looser policy. */
export const API_HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
  },
  frameguard: { action: 'deny' },
};

const MiB = 1024 * 1024;
const DEFAULT_RATE_LIMIT = { max: 120, timeWindowMs: 60_000 };
const DEFAULT_AUTH_FAILURE_LIMIT = { max: 20, timeWindowMs: 60_000 };
/** Every path segment the Id schema accepts must reach the route; the router's default stops at 100 characters. */
const MAX_PARAM_LENGTH = 128;
/** Room for the JSON around the base64 audio in a turn body. */
const JSON_ENVELOPE_BYTES = 16 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const REDACTED = ['req.headers.authorization', 'req.headers.cookie'];

/** Builds the HTTP API over the core's use cases; the caller decides whether to listen or to inject. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimitBytes ?? MiB;
  const audioBodyLimit = options.audioBodyLimitBytes ?? 10 * MiB;
  const maxAudioBytes = options.maxAudioBytes ?? Math.floor(((audioBodyLimit - JSON_ENVELOPE_BYTES) / 4) * 3);
  const app = Fastify({
    ...loggerSettings(options.logger),
    bodyLimit,
    trustProxy: options.trustProxy ?? false,
    requestIdHeader: false,
    genReqId: requestIdOf,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: (error, request, reply) => {
      void sendFrameworkProblem(error, request, reply);
    },
    // TypeBox's compiler converts query strings and params but checks bodies strictly: "123" is not a number there.
    schemaController: await schemaController(
      options.compileSchemas ?? 'at-start',
      options.serializers,
      options.validators,
    ),
  });
  // Only JSON is spoken; without this a text/plain body would reach validation and be reported as the wrong shape.
  app.removeContentTypeParser('text/plain');
  installProblemHandlers(app);

  // Our own plugins and route sets only add hooks and routes to the scope they are given, so they are called on it
  // directly rather than registered: each register is an avvio plugin (queued, timed, an encapsulated instance made
  // for it), which a cold start pays for. Only the /v1 scope (its prefix, and the auth hook kept inside it) and
  // third-party plugins are registered.
  // The API's security headers (API_HELMET_OPTIONS); /docs sets its own, looser policy below.
  // Every answer echoes its request id (`x-request-id`), set by the same callback hook as the security headers: an
  // async hook would cost a promise and a microtask turn on every request, a second hook another round of the runner.
  addSecurityHeaders(app, options.securityHeaders ?? helmetHeaders(API_HELMET_OPTIONS), { requestId: true });
  if (options.corsOrigins && options.corsOrigins.length > 0) {
    const allowed = new Set(options.corsOrigins);
    await app.register(cors, {
      // Any other origin (or none) gets no CORS header at all, and its preflight is an ordinary 404.
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
      // The plugin answers a non-strict failure with text/plain; a preflight without its headers just gets no grant.
      strictPreflight: false,
      methods: ['GET', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after', 'location', 'www-authenticate'],
      // Bearer tokens, never cookies: a page must not be able to ride on the browser's credentials.
      credentials: false,
      maxAge: 600,
    });
  }
  if (options.docs !== false) await registerDocs(app, options.version);
  await healthRoutes(app.withTypeProvider<TypeBoxTypeProvider>(), {
    ...(options.readiness && { readiness: options.readiness }),
    ...(options.version !== undefined && { version: options.version }),
  });

  // The voice, sign-in and web routes are the server's: imported only when asked for, so the Lambda API (which has
  // none of them) never loads @fastify/static, its glob and mime tables, or the voice session.
  // The websocket plugin comes with them, registered in their own scope (voice/voice-websocket.ts).
  const voice = options.voice && (await import('./routes/voice.js'));
  if (options.localSession) {
    const { localSessionRoutes } = await import('./routes/local-session.js');
    await app.register(localSessionRoutes, { ...options.localSession, prefix: '/v1/local' });
  }
  if (options.web) await app.register((await import('./routes/web.js')).webRoutes, options.web);
  await app.register(
    async (v1) => {
      const failureLimit =
        options.authFailureLimit === undefined ? DEFAULT_AUTH_FAILURE_LIMIT : options.authFailureLimit;
      await guardWithAuth(v1, { verifier: options.verifier, ...(failureLimit && { failureLimit }) });
      const limit = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
      if (limit) {
        // Registered after auth, so its per-route hook runs after the identity is known and counts per user.
        await v1.register(rateLimit, {
          max: limit.max,
          timeWindow: limit.timeWindowMs,
          keyGenerator: (request) => (request.identity ? `user:${request.identity.userId}` : `ip:${request.ip}`),
          errorResponseBuilder: (_request, context) =>
            new HttpProblem(429, 'RATE_LIMITED', `Too many requests; retry in ${context.after}.`, {
              retryAfterSeconds: Math.ceil(context.ttl / 1000),
            }),
        });
      }
      const routes = v1.withTypeProvider<TypeBoxTypeProvider>();
      await conversationRoutes(routes, { conversations: options.conversations });
      await turnRoutes(routes, {
        handleTurn: options.handleTurn,
        bodyLimitBytes: audioBodyLimit,
        maxAudioBytes,
        maxAudioSeconds: options.maxAudioSeconds ?? 30,
        maxTextLength: options.maxTextLength,
        ...(options.streaming === false && { streaming: false }),
      });
      if (voice && options.voice)
        await v1.register(voice.voiceRoutes, { handleTurn: options.handleTurn, ...options.voice });
      await meRoutes(routes, { conversations: options.conversations });
      await skillRoutes(routes, { skills: options.skills });
    },
    { prefix: '/v1' },
  );
  return app;
}

/** The OpenAPI document and Swagger UI; their plugins are imported only when served, so bundles without docs skip them. */
async function registerDocs(app: FastifyInstance, version: string | undefined): Promise<void> {
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([
    import('@fastify/swagger'),
    import('@fastify/swagger-ui'),
  ]);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Voice Assistant API',
        version: version ?? '0.0.0',
        description: 'Talk to the assistant over HTTP.',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      tags: [
        { name: 'conversations', description: 'Your conversations and their history' },
        { name: 'turns', description: 'Talking to the assistant' },
        { name: 'me', description: 'Your preferences and data' },
        { name: 'skills', description: 'What the assistant can do' },
        { name: 'health', description: 'Probes' },
      ],
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    // Swagger UI would otherwise send the document to validator.swagger.io; nothing leaves the machine.
    uiConfig: { validatorUrl: null },
    staticCSP: true,
    // Served over plain HTTP on a LAN address, an upgrade to HTTPS would break every asset of the page.
    transformStaticCSP: (header) =>
      header.replace(/\s*upgrade-insecure-requests;?/, '').replace(' validator.swagger.io', ''),
  });
}

/** Trusts a caller's x-request-id only when it is short and plain, so it cannot forge or flood log lines. */
function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

function loggerSettings(
  logger: AppOptions['logger'],
): Pick<FastifyServerOptions, 'logger'> & { loggerInstance?: FastifyBaseLogger } {
  // A silent logger writes nothing, yet Fastify would make a pino child of it for every request (pino serialises the
  // request id binding as it makes one) and watch every response finish to log it: without a logger it does neither.
  // The level is read here, once: a silent logger given to the app stays silent for it.
  if (logger === undefined || logger === false || (logger !== true && logger.level === 'silent'))
    return { logger: false };
  if (logger === true) return { logger: { redact: REDACTED } };
  if (isLoggerInstance(logger)) return { loggerInstance: logger };
  const base = logger;
  const redact = base.redact;
  const paths = [...REDACTED, ...(Array.isArray(redact) ? redact : (redact?.paths ?? []))];
  return {
    logger: { ...base, redact: { ...(Array.isArray(redact) || !redact ? {} : redact), paths: [...new Set(paths)] } },
  };
}

function isLoggerInstance(logger: object): logger is FastifyBaseLogger {
  return (
    typeof (logger as Partial<FastifyBaseLogger>).child === 'function' &&
    typeof (logger as Partial<FastifyBaseLogger>).info === 'function'
  );
}
