import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

export interface WebRoutesOptions {
  /** The built client (dist/web): index.html and assets/ with content-hashed names. */
  root: string;
  /** What the client reads from /config.json at start: how to sign in. */
  config: WebClientConfig;
}

/**
 * How the client's Talk button reaches the server: `websocket`, the voice.v1 socket at /v1/voice on the page's host
 * (the local server; the default when absent); `http`, one `POST /v1/conversations/{id}/turns` per utterance to
 * `apiBase` (API Gateway REST, which has no WebSocket route).
 */
export type WebVoiceTransport = 'websocket' | 'http';

/** The runtime configuration the client fetches; the deploy writes the same file next to the client on S3. */
export type WebClientConfig =
  | { auth: { kind: 'local' }; apiBase?: string; voice?: WebVoiceTransport }
  | {
      auth: { kind: 'cognito'; domain: string; clientId: string; redirectUri: string; scopes?: string[] };
      apiBase?: string;
      voice?: WebVoiceTransport;
    };

/** Client-side routes answered with index.html; /v1, /docs and /health are never among them. */
export const CLIENT_ROUTES = [
  '/',
  '/talk',
  '/conversations',
  '/conversations/:id',
  '/settings',
  '/skills',
  '/auth/callback',
];

/**
 * The app's own pages get a policy of their own: scripts and styles from this origin only (Vite emits no inline
 * script; 'wasm-unsafe-eval' lets the hands-free worker compile the WebRTC VAD's WebAssembly, and nothing else: no
 * eval of JavaScript), fetch/WebSocket to this origin ('self' covers ws: and wss: of the same host), reply audio from blob: and
 * music streams from https: sources. Everything else keeps the API's `default-src 'none'`.
 */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "media-src 'self' blob: https:",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Serves the built web client at `/` (local profile): hashed assets immutable, index.html revalidated every time. */
export const webRoutes: FastifyPluginAsync<WebRoutesOptions> = async (app, options) => {
  const index = join(options.root, 'index.html');
  if (!existsSync(index)) throw new Error(`web client: ${index} is missing; run npm run build:web`);
  // A child hook runs after the app-wide security headers and replaces their API policy for these routes only.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('content-security-policy', WEB_CSP);
    done();
  });
  await app.register(fastifyStatic, {
    root: options.root,
    prefix: '/',
    // Only the files present at start get routes: an unknown path stays an ordinary 404 problem.
    wildcard: false,
    index: false,
    cacheControl: false,
    setHeaders: (res, path) => {
      void res.header('cache-control', /[/\\]assets[/\\]/.test(path) ? IMMUTABLE : 'no-cache');
    },
  });
  app.get('/config.json', { schema: { hide: true } }, async (_request, reply) => {
    void reply.header('cache-control', 'no-cache');
    return options.config;
  });
  for (const url of CLIENT_ROUTES) {
    app.get(url, { schema: { hide: true } }, (_request, reply) =>
      reply.header('cache-control', 'no-cache').sendFile('index.html'),
    );
  }
};
