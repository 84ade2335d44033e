import { createServer, type Http2ServerResponse, type Http2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { FakeAwsServer, FakeReply, RecordedRequest } from './fake-aws-server.js';

export type H2FakeHandler = (request: RecordedRequest, response: Http2ServerResponse) => FakeReply | Promise<FakeReply>;

export interface FakeAwsH2Server extends Omit<FakeAwsServer, 'on'> {
  on(route: string, handler: H2FakeHandler): void;
}

/**
 * The HTTP/2 twin of startFakeAwsServer, without TLS (h2c, prior knowledge). The Lex Runtime V2, Polly and Transcribe
 * Streaming clients all default to NodeHttp2Handler, which speaks h2c to an `http://` endpoint; serving them over
 * HTTP/2 tests the adapters with the transport they use in production. Same routing and reply shapes as the HTTP/1.1
 * fake: `X-Amz-Target` first, then the longest `METHOD /path` prefix.
 */
export async function startFakeAwsH2Server(routes: Record<string, H2FakeHandler> = {}): Promise<FakeAwsH2Server> {
  const handlers = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const sessions = new Set<Http2Session>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url, 'http://fake');
      const body = Buffer.concat(chunks);
      const target = typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : undefined;
      const recorded: RecordedRequest = {
        method: req.method, path: url.pathname, query: url.searchParams, headers: req.headers, body,
        ...(target && { target }),
        json: () => (body.length === 0 ? {} : JSON.parse(body.toString('utf8'))),
      };
      requests.push(recorded);
      const handler = pick(handlers, recorded);
      if (!handler) {
        send(res, { status: 404, errorType: 'UnknownOperationException', message: `fake has no route for ${target ?? `${recorded.method} ${recorded.path}`}` });
        return;
      }
      Promise.resolve()
        .then(() => handler(recorded, res))
        .then((reply) => send(res, reply))
        .catch((error: unknown) => send(res, { status: 500, errorType: 'InternalFailure', message: String(error) }));
    });
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (route, handler) => handlers.set(route, handler),
    close: () =>
      new Promise((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

function pick(handlers: Map<string, H2FakeHandler>, request: RecordedRequest): H2FakeHandler | undefined {
  if (request.target && handlers.has(request.target)) return handlers.get(request.target);
  let best: [string, H2FakeHandler] | undefined;
  for (const [key, handler] of handlers) {
    const [method, prefix] = key.split(' ');
    if (method !== request.method || !prefix || !request.path.startsWith(prefix)) continue;
    if (!best || prefix.length > (best[0].split(' ')[1]?.length ?? 0)) best = [key, handler];
  }
  return best?.[1];
}

function send(res: Http2ServerResponse, reply: FakeReply): void {
  if ('handled' in reply) return;
  // The client may have reset the stream (an abort) while the handler was still working.
  if (res.headersSent || res.stream.destroyed) return;
  const headers = { ...reply.headers };
  if ('errorType' in reply) {
    res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': reply.errorType, ...headers });
    res.end(JSON.stringify({ __type: reply.errorType, message: reply.message }));
  } else if ('json' in reply) {
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(reply.json));
  } else {
    res.writeHead(reply.status ?? 200, headers);
    res.end(reply.body);
  }
}
