import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { VOICE_PROTOCOL } from './voice-protocol.js';

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * @fastify/websocket in `scope`, the voice routes' own, with only upgrade requests to `path` handed to it.
 *
 * Registered at the app's root, the plugin adds an onRequest and an onResponse hook to every request and wraps every
 * route's handler: 2–5 % of the CPU of a turn or a history GET (measured), on routes that never upgrade. In this
 * scope its hooks run for the voice route alone. Its 'upgrade' listener on the server would still route every upgrade
 * request through the app, and one to another path would then be answered on a socket nothing closes (at the root,
 * its onResponse hook closed it). So that listener gets upgrades to `path` only; the app answers any other upgrade
 * request as plain HTTP (a 404, a 401, ...), and its connection is closed once the answer is sent.
 */
export async function registerVoiceWebSocket(scope: FastifyInstance, path: string, maxPayload: number): Promise<void> {
  const server = scope.server;
  const before = new Set(server.listeners('upgrade'));
  await scope.register(websocket, {
    // Only voice.v1 is spoken; the server never echoes the client's bearer.<token> entry.
    options: {
      maxPayload,
      handleProtocols: (offered: Set<string>) => (offered.has(VOICE_PROTOCOL) ? VOICE_PROTOCOL : false),
    },
  });
  const added = server.listeners('upgrade').filter((listener) => !before.has(listener)) as UpgradeListener[];
  const [plugin] = added;
  // A version of the plugin that listens otherwise would leave upgrades unfiltered: refuse to start instead.
  if (added.length !== 1 || !plugin)
    throw new Error(`@fastify/websocket added ${added.length} upgrade listeners; this app expects exactly one`);
  server.removeListener('upgrade', plugin);
  // The plugin's onResponse hook closes a refused upgrade's connection only once its onRequest hook has run, and the
  // hooks of /v1 before it (authentication, the rate limit) may refuse first: their answer is the last the socket
  // carries. An upgrade that succeeded never gets here (its reply is hijacked).
  scope.addHook('onResponse', (request, _reply, done) => {
    if (request.headers.upgrade !== undefined) request.raw.socket.destroy();
    done();
  });
  const dispatch: UpgradeListener = (request, socket, head) => {
    if (pathOf(request.url) === path) plugin(request, socket, head);
    else answerAndClose(scope, request, socket as Socket);
  };
  server.on('upgrade', dispatch);
  scope.addHook('onClose', (_instance, done) => {
    server.removeListener('upgrade', dispatch);
    done();
  });
}

function pathOf(url: string | undefined): string {
  const query = url?.indexOf('?') ?? -1;
  return query === -1 ? (url ?? '') : (url ?? '').slice(0, query);
}

/** Lets the app answer an upgrade request as any other request, then ends the connection (it can serve no other). */
function answerAndClose(app: FastifyInstance, request: IncomingMessage, socket: Socket): void {
  // Node removes its own error listener before emitting 'upgrade'; a reset must not become an uncaught error.
  socket.on('error', () => socket.destroy());
  const response = new ServerResponse(request);
  response.assignSocket(socket);
  response.once('finish', () => socket.destroy());
  app.routing(request, response);
}
