import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the function answered for one invocation, as the Lambda service would see it. */
export type InvocationOutcome =
  | { kind: 'response'; requestId: string; body: unknown; elapsedMs: number }
  | {
      kind: 'error';
      requestId: string;
      errorType: string;
      errorMessage: string;
      stackTrace?: string[];
      elapsedMs: number;
    }
  /** No answer by the deadline (plus the stand-in's grace): Lambda would have stopped the function. */
  | { kind: 'timeout'; requestId: string; elapsedMs: number };

export interface InitError {
  errorType: string;
  errorMessage: string;
}

export interface InvokeOptions {
  /** Time the function has, from when the runtime takes the event; default 30 s. */
  timeoutMs?: number;
  requestId?: string;
  traceId?: string;
  functionArn?: string;
}

export interface LambdaRuntimeApi {
  /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
  readonly address: string;
  /** Queues an event for the next `GET .../invocation/next` and resolves with the function's answer. */
  invoke(event: unknown, options?: InvokeOptions): Promise<InvocationOutcome>;
  /** Resolves when the runtime reports an error during init (module scope of the handler). */
  readonly initError: Promise<InitError>;
  /** How many times the runtime has asked for the next event: once it asks, init is over. */
  readonly polls: number;
  close(): Promise<void>;
}

const BASE = '/2018-06-01/runtime';
/** How long after the deadline the stand-in still waits for an answer, for scheduling noise on a busy machine. */
const GRACE_MS = 1000;

interface Pending {
  requestId: string;
  event: unknown;
  options: InvokeOptions;
  started?: number;
  settle(outcome: InvocationOutcome): void;
  timer?: NodeJS.Timeout;
}

/**
 * The Lambda Runtime API, as the runtime interface client polls it: `GET /2018-06-01/runtime/invocation/next` long-polls
 * until an event is queued and answers it with the request id, deadline, function ARN and trace id headers;
 * `POST .../invocation/{id}/response` and `.../{id}/error` settle that invocation; `POST .../init/error` reports a
 * failed init. An invocation left unanswered past its deadline settles as a timeout, as Lambda would stop it.
 */
export async function startLambdaRuntimeApi(options: { functionName?: string } = {}): Promise<LambdaRuntimeApi> {
  const functionArn = `arn:aws:lambda:us-east-1:123456789012:function:${options.functionName ?? 'test-function'}`;
  const queue: Pending[] = [];
  const inFlight = new Map<string, Pending>();
  const waiting: ServerResponse[] = [];
  const sockets = new Set<Socket>();
  let polls = 0;
  let reportInitError!: (error: InitError) => void;
  const initError = new Promise<InitError>((resolve) => (reportInitError = resolve));

  const hand = (response: ServerResponse, pending: Pending) => {
    const timeoutMs = pending.options.timeoutMs ?? 30_000;
    pending.started = Date.now();
    inFlight.set(pending.requestId, pending);
    pending.timer = setTimeout(() => {
      inFlight.delete(pending.requestId);
      pending.settle({ kind: 'timeout', requestId: pending.requestId, elapsedMs: Date.now() - pending.started! });
    }, timeoutMs + GRACE_MS);
    response.writeHead(200, {
      'content-type': 'application/json',
      'lambda-runtime-aws-request-id': pending.requestId,
      'lambda-runtime-deadline-ms': String(pending.started + timeoutMs),
      'lambda-runtime-invoked-function-arn': pending.options.functionArn ?? functionArn,
      'lambda-runtime-trace-id':
        pending.options.traceId ??
        `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)};Parent=${randomUUID().replaceAll('-', '').slice(0, 16)};Sampled=1`,
    });
    response.end(JSON.stringify(pending.event));
  };

  const server = createServer((request, response) => {
    void route(request, response).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '';
    const body = await readBody(request);
    if (request.method === 'GET' && url === `${BASE}/invocation/next`) {
      polls += 1;
      const next = queue.shift();
      if (next) hand(response, next);
      else waiting.push(response);
      return;
    }
    if (request.method === 'POST' && url === `${BASE}/init/error`) {
      reportInitError(parseError(body));
      response.writeHead(202).end('{"status":"OK"}');
      return;
    }
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    const pending = match && inFlight.get(decodeURIComponent(match[1]!));
    if (request.method === 'POST' && match && pending) {
      inFlight.delete(pending.requestId);
      clearTimeout(pending.timer);
      const elapsedMs = Date.now() - pending.started!;
      if (match[2] === 'response')
        pending.settle({
          kind: 'response',
          requestId: pending.requestId,
          body: body.length > 0 ? JSON.parse(body) : null,
          elapsedMs,
        });
      else pending.settle({ kind: 'error', requestId: pending.requestId, ...parseError(body), elapsedMs });
      response.writeHead(202).end('{"status":"OK"}');
      return;
    }
    response
      .writeHead(match ? 400 : 404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ errorMessage: `no such route or invocation: ${request.method} ${url}` }));
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    initError,
    get polls() {
      return polls;
    },
    invoke(event, invokeOptions = {}) {
      return new Promise<InvocationOutcome>((settle) => {
        const pending: Pending = {
          requestId: invokeOptions.requestId ?? randomUUID(),
          event,
          options: invokeOptions,
          settle,
        };
        const poller = waiting.shift();
        if (poller) hand(poller, pending);
        else queue.push(pending);
      });
    },
    async close() {
      for (const pending of inFlight.values()) clearTimeout(pending.timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseError(body: string): InitError & { stackTrace?: string[] } {
  try {
    const parsed = JSON.parse(body) as { errorType?: string; errorMessage?: string; stackTrace?: string[] };
    return {
      errorType: parsed.errorType ?? 'Unknown',
      errorMessage: parsed.errorMessage ?? '',
      ...(parsed.stackTrace && { stackTrace: parsed.stackTrace }),
    };
  } catch {
    return { errorType: 'Unparseable', errorMessage: body };
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
