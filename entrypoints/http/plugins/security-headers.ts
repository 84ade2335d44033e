import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's headers on every response, worked out once. @fastify/helmet calls `helmet(options)` on every request, which
 * re-parses and re-validates the Content-Security-Policy directives and rebuilds a dozen middlewares per request
 * (about 8% of an authenticated GET under load). With static options the headers never change, so helmet runs once
 * here against a recording response and each request just copies the result. Options whose value depends on the
 * request (CSP directive functions, nonces) are refused rather than silently frozen.
 */
export interface SecurityHeadersOptions {
  helmet: HelmetOptions;
}

/** What helmet sets and removes for some options, as (lower-case name, value) pairs: what every response gets. */
export interface SecurityHeaders {
  set: readonly (readonly [string, string])[];
  removed: readonly string[];
}

/**
 * Adds the headers' hook to `app` itself, as the plugin does to the scope it is registered in: buildApp calls this
 * directly (one avvio plugin fewer at start), with headers worked out at start or, in the Lambda bundle, when it was
 * built.
 */
export function addSecurityHeaders(
  app: FastifyInstance,
  { set, removed }: SecurityHeaders,
  options: { requestId?: boolean } = {},
): void {
  // Flat arrays and an index loop: no iterator or destructuring per header, a dozen headers on every request.
  const names = set.map(([name]) => name);
  const values = set.map(([, value]) => value);
  // With `requestId`, the same hook first echoes the request's id (`x-request-id`, as Fastify's genReqId made it):
  // one onRequest hook per request instead of two, the headers in the same order as before.
  const requestId = options.requestId === true;
  app.addHook('onRequest', (request, reply, next) => {
    if (requestId) reply.header('x-request-id', request.id);
    for (let i = 0; i < names.length; i += 1) reply.header(names[i]!, values[i]);
    // Nothing has set these so early but a hook before this one; removing an absent header still costs a call into
    // the raw response, so only a present one is removed.
    for (let i = 0; i < removed.length; i += 1) if (reply.hasHeader(removed[i]!)) reply.removeHeader(removed[i]!);
    next();
  });
}

const securityHeadersPlugin: FastifyPluginCallback<SecurityHeadersOptions> = (app, options, done) => {
  addSecurityHeaders(app, helmetHeaders(options.helmet));
  done();
};

/** What helmet sets and removes for `options`, as (lower-case name, value) pairs. */
export function helmetHeaders(options: HelmetOptions): SecurityHeaders {
  const directives =
    typeof options.contentSecurityPolicy === 'object' ? (options.contentSecurityPolicy.directives ?? {}) : {};
  for (const [name, value] of Object.entries(directives)) {
    const values =
      typeof value === 'string' || value === null || typeof value === 'symbol' ? [] : [...(value as Iterable<unknown>)];
    if (values.some((v) => typeof v === 'function'))
      throw new Error(`security headers: CSP directive ${name} depends on the request; it cannot be computed once`);
  }
  const set = new Map<string, string>();
  const removed = new Set<string>();
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      set.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
      removed.delete(name.toLowerCase());
    },
    removeHeader(name: string) {
      set.delete(name.toLowerCase());
      removed.add(name.toLowerCase());
    },
  } as unknown as ServerResponse;
  let failure: unknown;
  helmet(options)({} as never, recorder, (error?: unknown) => {
    failure = error;
  });
  if (failure)
    throw failure instanceof Error ? failure : new Error(`helmet refused the options: ${JSON.stringify(failure)}`);
  return {
    set: Object.freeze([...set].map(([name, value]) => Object.freeze([name, value] as const))),
    removed: Object.freeze([...removed]),
  };
}

export default fp(securityHeadersPlugin, { fastify: '5.x', name: 'voice-assistant-security-headers' });
