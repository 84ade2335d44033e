import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake received it, for assertions on what the SDK sent over the wire. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** `X-Amz-Target` for awsJson services, e.g. `AWSEvents.PutEvents`. */
  target?: string;
  body: Buffer;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export type FakeReply =
  | { status?: number; json: unknown; headers?: Record<string, string> }
  | { status?: number; body: Buffer | string; headers?: Record<string, string> }
  /** An AWS error as awsJson and rest-json services send it; the SDK turns `type` into its typed exception. */
  | { status: number; errorType: string; message: string; headers?: Record<string, string> }
  /** The handler wrote the response itself (event streams, chunked bodies, dropped connections). */
  | { handled: true };

export type FakeHandler = (request: RecordedRequest, response: ServerResponse) => FakeReply | Promise<FakeReply>;

export interface FakeAwsServer {
  url: string;
  requests: RecordedRequest[];
  /** Adds or replaces the handler for a route key: an `X-Amz-Target` value, or `METHOD /path/prefix`. */
  on(route: string, handler: FakeHandler): void;
  close(): Promise<void>;
}

export const TEST_AWS_CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
  maxAttempts: 1,
} as const;

/**
 * A loopback HTTP server that speaks an AWS service's wire protocol through per-route handlers, so an adapter is
 * tested over the real SDK (serialisation, signing, error parsing) with no mock of the client object.
 * Routes match by `X-Amz-Target` first, then by the longest `METHOD /path` prefix.
 */
/** The slice of an HTTP/1.1 or HTTP/2 response the fakes write to. */
export interface ReplyTarget {
  headersSent: boolean;
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body: string | Buffer): unknown;
}

/** Records a finished request and answers it through the matching route's handler; shared by the h1 and h2 fakes. */
export function dispatch<R extends ReplyTarget>(
  handlers: Map<string, (request: RecordedRequest, response: R) => FakeReply | Promise<FakeReply>>,
  requests: RecordedRequest[],
  incoming: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer },
  res: R,
  gone: () => boolean = () => false,
): void {
  const url = new URL(incoming.url, 'http://fake');
  const { body } = incoming;
  const target = typeof incoming.headers['x-amz-target'] === 'string' ? incoming.headers['x-amz-target'] : undefined;
  const recorded: RecordedRequest = {
    method: incoming.method,
    path: url.pathname,
    query: url.searchParams,
    headers: incoming.headers,
    body,
    ...(target && { target }),
    json: () => (body.length === 0 ? {} : JSON.parse(body.toString('utf8'))),
  };
  requests.push(recorded);
  const answer = (reply: FakeReply) => {
    if (!gone()) send(res, reply);
  };
  const handler = pick(handlers, recorded);
  if (!handler) {
    answer({
      status: 404,
      errorType: 'UnknownOperationException',
      message: `fake has no route for ${target ?? `${recorded.method} ${recorded.path}`}`,
    });
    return;
  }
  Promise.resolve()
    .then(() => handler(recorded, res))
    .then(answer)
    .catch((error: unknown) => answer({ status: 500, errorType: 'InternalFailure', message: String(error) }));
}

/**
 * A loopback HTTP server that speaks an AWS service's wire protocol through per-route handlers, so an adapter is
 * tested over the real SDK (serialisation, signing, error parsing) with no mock of the client object.
 * Routes match by `X-Amz-Target` first, then by the longest `METHOD /path` prefix.
 */
export async function startFakeAwsServer(routes: Record<string, FakeHandler> = {}): Promise<FakeAwsServer> {
  const handlers = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      dispatch(
        handlers,
        requests,
        { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) },
        res,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (route, handler) => handlers.set(route, handler),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function pick<H>(handlers: Map<string, H>, request: RecordedRequest): H | undefined {
  if (request.target && handlers.has(request.target)) return handlers.get(request.target);
  let best: [string, H] | undefined;
  for (const [key, handler] of handlers) {
    const [method, prefix] = key.split(' ');
    if (method !== request.method || !prefix || !request.path.startsWith(prefix)) continue;
    if (!best || prefix.length > (best[0].split(' ')[1]?.length ?? 0)) best = [key, handler];
  }
  return best?.[1];
}

function send(res: ReplyTarget, reply: FakeReply): void {
  if ('handled' in reply) return;
  if (res.headersSent) return;
  const headers = { ...reply.headers };
  if ('errorType' in reply) {
    res.writeHead(reply.status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-errortype': reply.errorType,
      ...headers,
    });
    res.end(JSON.stringify({ __type: reply.errorType, message: reply.message }));
  } else if ('json' in reply) {
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(reply.json));
  } else {
    res.writeHead(reply.status ?? 200, headers);
    res.end(reply.body);
  }
}
