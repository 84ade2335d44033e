import awsLambdaFastify from '@fastify/aws-lambda';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';
import pino from 'pino';
import type { ConversationService } from '../../../core/conversation/conversation-service.js';
import type { HandleTurn } from '../../../core/pipeline/turn-pipeline.js';
import type { Readiness } from '../../composition/bindings.js';
import { buildApp } from '../../http/app.js';
import { REDACT_PATHS } from '../../composition/logger.js';
import { createLambdaContainer } from '../shared/lambda-container.js';
import { loadLambdaConfig } from '../shared/lambda-config.js';
import { beforeDeadline } from '../shared/deadline.js';
import { instrumented } from '../shared/instrumented-handler.js';
import { createObservability } from '../shared/observability.js';
import { AuthorizerAwareTokenVerifier, withAuthorizerClaims } from './authorizer-identity.js';
import { lazyFunction, lazyMethods } from './lazy-use-cases.js';
import { deadlineResponse } from './deadline-response.js';
import { precompiledSecurityHeaders } from './precompiled-security-headers.js';
import { precompiledSerializers } from './precompiled-serializers.js';
import { precompiledValidators } from './precompiled-validators.js';

type ApiGatewayEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2;

/*
 * Composition root of the API function, run once per cold start (module scope, top-level await): config (which
 * fails the init when invalid), telemetry, the container, and the Fastify app, ready. The turn and conversation use
 * cases are resolved on their first request, so their SDK clients are built only by the routes that need them.
 * A User Timing mark ends each step (api:<step>; microseconds each): bench/cold-start.ts reports where an init goes.
 */
performance.mark('api:modules');
const config = await loadLambdaConfig();
performance.mark('api:config');
const observability = await createObservability({
  serviceName: config.app.assistantName,
  namespace: config.app.aws.metricsNamespace,
  functionName: config.functionName,
});
performance.mark('api:observability');
const container = await createLambdaContainer(config, observability.telemetry, observability.captureClient);
const [skills, verifier] = await Promise.all([container.getAsync('skills'), container.getAsync('tokenVerifier')]);
performance.mark('api:container');
const CONVERSATION_METHODS = [
  'create',
  'get',
  'history',
  'list',
  'remove',
  'getPreferences',
  'updatePreferences',
  'forgetUser',
] as const;

const correlation = { id: '' };
const app = await buildApp({
  handleTurn: lazyFunction<HandleTurn>(() => container.getAsync('handleTurn')),
  conversations: lazyMethods<ConversationService>(
    () => container.getAsync('conversationService'),
    CONVERSATION_METHODS,
  ),
  skills,
  verifier: new AuthorizerAwareTokenVerifier(verifier),
  // API Gateway (REST) buffers a Lambda's whole response: a turn answers JSON here even to text/event-stream.
  streaming: false,
  readiness: lazyFunction<Readiness>(() => container.getAsync('readiness')),
  // Fastify's request lines carry the invocation's correlation id, like the Powertools lines beside them.
  logger: pino({
    level: config.app.server.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    mixin: () => ({ correlation_id: correlation.id }),
  }),
  bodyLimitBytes: config.app.limits.bodyLimitBytes,
  audioBodyLimitBytes: config.app.limits.audioBodyLimitBytes,
  rateLimit:
    config.app.limits.rateLimitMax > 0
      ? { max: config.app.limits.rateLimitMax, timeWindowMs: config.app.limits.rateLimitWindowMs }
      : false,
  authFailureLimit:
    config.app.limits.authFailureLimit > 0
      ? { max: config.app.limits.authFailureLimit, timeWindowMs: config.app.limits.rateLimitWindowMs }
      : false,
  corsOrigins: config.app.server.corsOrigins,
  maxTextLength: config.app.limits.maxTextLength,
  // Swagger UI serves files from its package folder, which a bundle does not have; the server keeps /docs.
  docs: false,
  // A cold start compiles only what its first request uses, not every route's validators and serializers.
  compileSchemas: 'on-first-use',
  // In the bundle, the response serializers were generated when it was built.
  ...(precompiledSerializers && { serializers: { precompiled: precompiledSerializers } }),
  // And its route checks: a valid request never loads TypeBox's compiler (a refused one does, for its errors).
  ...(precompiledValidators && { validators: { generated: precompiledValidators } }),
  // And its security headers: helmet does not run at init.
  ...(precompiledSecurityHeaders && { securityHeaders: precompiledSecurityHeaders }),
});
performance.mark('api:app');
await app.ready();
performance.mark('api:ready');
const proxy = awsLambdaFastify<ApiGatewayEvent>(app, {
  decorateRequest: false,
  binaryMimeTypes: ['audio/mpeg', 'audio/wav', 'audio/ogg'],
});

const requestIdOf = (event: ApiGatewayEvent | undefined) => event?.requestContext?.requestId;

/** API Gateway REST (payload v1) and HTTP API (v2) proxy events in, their proxy responses out. */
export const handler = instrumented<ApiGatewayEvent, Awaited<ReturnType<typeof proxy>>>(
  observability,
  { correlationId: requestIdOf },
  async (event: ApiGatewayEvent, context: Context) => {
    correlation.id = requestIdOf(event) ?? context.awsRequestId;
    // The API's request id (and the x-request-id it answers with) is API Gateway's, unless the caller sent its own.
    const headers = { 'x-request-id': correlation.id, ...event.headers };
    return withAuthorizerClaims(event, () =>
      beforeDeadline(
        context,
        config.deadlineMarginMs,
        () => proxy({ ...event, headers }, context),
        () => {
          observability.logger.error('no response before the invocation deadline; answering 504');
          observability.telemetry.metric('Errors', 1, 'Count', { service: 'lambda' });
          return deadlineResponse(correlation.id);
        },
      ),
    );
  },
);
