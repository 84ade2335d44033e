import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes, isCoreError, type CoreError, type ErrorCode } from '../../core/errors.js';
import { PROBLEM_CONTENT_TYPE, type FieldError, type Problem } from './schemas.js';

/** An HTTP-level failure raised by the entrypoint itself (not the core), e.g. an oversized audio clip or a rate limit. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly options: { retryAfterSeconds?: number; extensions?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'HttpProblem';
  }
}

/**
 * Status per core error code. VALIDATION is 400 whether the schema or the core found the value wrong, so clients
 * handle one status for bad input. CAPABILITY_MISSING is 501: the request is fine, this deployment lacks the feature.
 * ABORTED is 499 (nginx's "client closed request"): nobody reads it, it only keeps logs honest.
 */
const CORE_STATUS: Record<ErrorCode, number> = {
  [ErrorCodes.VALIDATION]: 400,
  [ErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.CONVERSATION_NOT_FOUND]: 404,
  [ErrorCodes.VERSION_CONFLICT]: 409,
  [ErrorCodes.UNAUTHENTICATED]: 401,
  [ErrorCodes.FORBIDDEN]: 403,
  [ErrorCodes.DEPENDENCY_UNAVAILABLE]: 503,
  [ErrorCodes.LLM_UNAVAILABLE]: 503,
  [ErrorCodes.SPEECH_UNAVAILABLE]: 503,
  [ErrorCodes.CAPABILITY_MISSING]: 501,
  [ErrorCodes.TIMEOUT]: 504,
  [ErrorCodes.ABORTED]: 499,
  [ErrorCodes.INTERNAL]: 500,
};

/** Server-side failures get a fixed, safe detail: adapter messages can name hosts, tables or SDK internals. */
const SAFE_DETAIL: Partial<Record<ErrorCode, string>> = {
  [ErrorCodes.DEPENDENCY_UNAVAILABLE]: 'A service the assistant depends on is unavailable right now; retry later.',
  [ErrorCodes.LLM_UNAVAILABLE]: 'The language model is unavailable right now; retry later.',
  [ErrorCodes.SPEECH_UNAVAILABLE]: 'The speech service is unavailable right now; retry later.',
  [ErrorCodes.TIMEOUT]: 'The request took too long to complete.',
};
const GENERIC_DETAIL = 'An unexpected error occurred. Quote the requestId when reporting it.';
const AUTH_REALM = 'voice-assistant';

interface ProblemSpec {
  status: number;
  code: string;
  detail: string;
  errors?: FieldError[];
  extensions?: Record<string, unknown>;
  headers?: Record<string, string>;
  /** Whether the error says something is wrong with the server (logged with its stack) or with the request. */
  serverFault: boolean;
}

interface FastifyishError extends Error {
  code?: string;
  statusCode?: number;
  validation?: ValidationIssue[];
  validationContext?: string;
}

interface ValidationIssue {
  keyword?: string;
  instancePath?: string;
  schemaPath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Installs the one error handler and the not-found handler: every failure leaves as RFC 9457 problem+json. */
export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyishError, request, reply) => {
    const spec = describe(error);
    if (spec.serverFault) request.log.error({ err: error, code: spec.code }, 'request failed');
    else request.log.info({ code: spec.code, status: spec.status }, 'request rejected');
    return sendProblem(request, reply, spec);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, {
      status: 404,
      code: 'ROUTE_NOT_FOUND',
      detail: `No route for ${request.method} ${pathOf(request)}.`,
      serverFault: false,
    }),
  );
}

/**
 * Fastify's `frameworkErrors`: a URL it cannot route (bad percent-encoding, an overlong path segment) is refused before
 * any hook runs, and without this it would answer plain application/json.
 */
export function sendFrameworkProblem(error: FastifyishError, request: FastifyRequest, reply: FastifyReply) {
  reply.header('x-request-id', request.id).header('x-content-type-options', 'nosniff');
  return sendProblem(request, reply, describeFrameworkError(error));
}

/**
 * The problem+json body an error maps to, for transports that carry it inside an open stream (an SSE `error` event,
 * a WebSocket `error` message), where no status line is left to send. Logs it as the error handler would.
 */
export function problemOf(error: unknown, request: FastifyRequest): Problem {
  const spec = describe(error instanceof Error ? error : new Error(String(error)));
  if (spec.serverFault) request.log.error({ err: error, code: spec.code }, 'stream failed');
  else request.log.info({ code: spec.code, status: spec.status }, 'stream rejected');
  return problemBody(request, spec);
}

/** Sends a problem for a condition found outside an error (e.g. a failed readiness check). */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  spec: Omit<ProblemSpec, 'serverFault'> & { serverFault?: boolean },
) {
  const problem = problemBody(request, spec);
  if (spec.headers) reply.headers(spec.headers);
  return reply.code(spec.status).type(PROBLEM_CONTENT_TYPE).send(problem);
}

function problemBody(request: FastifyRequest, spec: Omit<ProblemSpec, 'serverFault'>): Problem {
  return {
    type: `urn:voice-assistant:problem:${spec.code.toLowerCase().replaceAll('_', '-')}`,
    title: STATUS_CODES[spec.status] ?? 'Error',
    status: spec.status,
    detail: spec.detail,
    instance: pathOf(request),
    code: spec.code,
    requestId: String(request.id),
    ...(spec.errors && { errors: spec.errors }),
    ...spec.extensions,
  };
}

function describe(error: FastifyishError): ProblemSpec {
  if (error instanceof HttpProblem) {
    return {
      status: error.status,
      code: error.code,
      detail: error.message,
      serverFault: error.status >= 500,
      ...(error.options.extensions && { extensions: error.options.extensions }),
      ...(error.options.retryAfterSeconds !== undefined && {
        headers: { 'retry-after': retryAfter(error.options.retryAfterSeconds) },
      }),
    };
  }
  if (isCoreError(error)) return describeCoreError(error);
  if (Array.isArray(error.validation)) return describeValidation(error.validation, error.validationContext);
  return describeFrameworkError(error);
}

function describeCoreError(error: CoreError): ProblemSpec {
  const status = CORE_STATUS[error.code] ?? 500;
  const spec: ProblemSpec = {
    status,
    code: error.code,
    detail: status < 500 || status === 501 ? error.message : (SAFE_DETAIL[error.code] ?? GENERIC_DETAIL),
    serverFault: status >= 500 && status !== 501,
  };
  if (status === 503) spec.headers = { 'retry-after': retryAfter(error.retryAfterSeconds ?? 1) };
  if (status === 401) spec.headers = { 'www-authenticate': challenge(error) };
  if (error.code === ErrorCodes.ABORTED) spec.serverFault = false;
  return spec;
}

/** RFC 6750 §3.1: no error code when credentials were absent or of another scheme, invalid_token when they failed. */
function challenge(error: CoreError): string {
  if (error.details?.credentials === 'missing') return `Bearer realm="${AUTH_REALM}"`;
  const description = error.message.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '');
  return `Bearer realm="${AUTH_REALM}", error="invalid_token", error_description="${description}"`;
}

const LOCATIONS: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

function describeValidation(issues: ValidationIssue[], context: string | undefined): ProblemSpec {
  const location = LOCATIONS[context ?? 'body'] ?? 'body';
  const errors = issues.flatMap((issue) => toFieldErrors(issue, location));
  const unique = errors.filter(
    (e, i) => errors.findIndex((o) => o.pointer === e.pointer && o.detail === e.detail) === i,
  );
  const first = unique[0];
  const summary = first ? `${first.pointer || '(root)'} ${first.detail}` : 'it does not match the schema';
  return {
    status: 400,
    code: ErrorCodes.VALIDATION,
    detail: `The request ${location} is invalid: ${summary}${unique.length > 1 ? ` (and ${unique.length - 1} more)` : ''}.`,
    errors: unique,
    serverFault: false,
  };
}

function toFieldErrors(issue: ValidationIssue, location: string): FieldError[] {
  const base = issue.instancePath ?? '';
  const params = issue.params ?? {};
  switch (issue.keyword) {
    case 'additionalProperties': {
      const extra = params.additionalProperties ?? params.additionalProperty;
      return (Array.isArray(extra) ? extra : [extra]).map((name) => ({
        in: location,
        pointer: `${base}/${String(name)}`,
        detail: 'is not allowed',
      }));
    }
    case 'required': {
      const missing = params.requiredProperties ?? params.missingProperty;
      return (Array.isArray(missing) ? missing : [missing]).map((name) => ({
        in: location,
        pointer: `${base}/${String(name)}`,
        detail: 'is required',
      }));
    }
    case 'boolean':
      // TypeBox reports each extra property twice; the additionalProperties entry above already names it.
      return issue.schemaPath?.endsWith('/additionalProperties')
        ? []
        : [{ in: location, pointer: base, detail: issue.message ?? 'is invalid' }];
    case 'oneOf':
      return [{ in: location, pointer: base, detail: 'must contain exactly one of the alternative properties' }];
    default:
      return [{ in: location, pointer: base, detail: issue.message ?? 'is invalid' }];
  }
}

function describeFrameworkError(error: FastifyishError): ProblemSpec {
  const status =
    typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
  if (status === 413)
    return { status, code: 'PAYLOAD_TOO_LARGE', detail: 'The request body is too large.', serverFault: false };
  // The framework's own messages for these quote the whole URL; a fixed detail is enough.
  if (error.code === 'FST_ERR_BAD_URL')
    return { status: 400, code: 'MALFORMED_URL', detail: 'The request URL is not valid.', serverFault: false };
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return {
      status: 414,
      code: 'URI_TOO_LONG',
      detail: 'A segment of the request path is too long.',
      serverFault: false,
    };
  if (status === 415) {
    return {
      status,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      detail: 'Send the request body as application/json.',
      serverFault: false,
    };
  }
  if (status === 400 && (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY')) {
    // The parser's own message quotes the body, which must never be echoed or logged.
    return { status, code: 'MALFORMED_JSON', detail: 'The request body is not valid JSON.', serverFault: false };
  }
  if (status >= 500) return { status: 500, code: ErrorCodes.INTERNAL, detail: GENERIC_DETAIL, serverFault: true };
  const fromFramework = typeof error.code === 'string' && error.code.startsWith('FST_');
  return {
    status,
    code: fromFramework ? 'BAD_REQUEST' : 'CLIENT_ERROR',
    detail: fromFramework ? error.message : (STATUS_CODES[status] ?? 'The request was rejected.'),
    serverFault: false,
  };
}

function retryAfter(seconds: number): string {
  return String(Math.max(1, Math.ceil(seconds)));
}

function pathOf(request: FastifyRequest): string {
  const url = request.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
