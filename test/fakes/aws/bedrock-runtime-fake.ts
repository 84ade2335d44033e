import {
  createServer,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type Http2Session,
  type IncomingHttpHeaders,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { instructedToolCall } from '../tool-call-instruction.js';

/** The JSON body of a Converse or ConverseStream request, as the SDK serialised it. */
export interface ConverseWireRequest {
  messages?: { role: string; content: { text?: string }[] }[];
  system?: { text?: string }[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools?: { toolSpec?: { name?: string; description?: string; inputSchema?: { json?: unknown } } }[] };
  guardrailConfig?: {
    guardrailIdentifier: string;
    guardrailVersion: string;
    trace?: string;
    streamProcessingMode?: string;
  };
}

export interface ConverseCall {
  operation: 'converse' | 'converse-stream';
  /** Decoded from the path: `/model/{modelId}/converse`. */
  modelId: string;
  headers: IncomingHttpHeaders;
  body: ConverseWireRequest;
}

export interface ScriptedReply {
  text: string;
  /** Default: `end_turn`, or `max_tokens` when the text was cut at `inferenceConfig.maxTokens` words. */
  stopReason?: string;
  usage?: { inputTokens: number; outputTokens: number };
  /** Streams only: after this many deltas, send this exception event (`:message-type: exception`) and end. */
  streamException?: { afterDeltas: number; type: string; message: string };
  /** Streams only: after this many deltas, send nothing more and keep the stream open. */
  stallAfterDeltas?: number;
}

export interface BedrockRuntimeFake {
  url: string;
  calls: ConverseCall[];
  /** Replaces the reply; without an argument, back to the default (an echo of the last user turn). */
  setReply(reply?: (request: ConverseWireRequest) => string | ScriptedReply): void;
  /** Answers every call with this modeled AWS error until called without an argument. */
  setError(type?: string, message?: string): void;
  /** Accepts every call and never answers it, until called with false. */
  setSilent(silent: boolean): void;
  /** Responses whose HTTP/2 stream is still open, to see that a client let go of a stream it stopped reading. */
  openResponses(): number;
  close(): Promise<void>;
}

/** HTTP statuses Bedrock Runtime sends with each modeled error (API reference, Converse "Errors"). */
const ERROR_STATUS: Record<string, number> = {
  AccessDeniedException: 403,
  InternalServerException: 500,
  ModelErrorException: 424,
  ModelNotReadyException: 429,
  ModelTimeoutException: 408,
  ResourceNotFoundException: 404,
  ServiceQuotaExceededException: 400,
  ServiceUnavailableException: 503,
  ThrottlingException: 429,
  ValidationException: 400,
};

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/**
 * A loopback stand-in for Bedrock Runtime's Converse and ConverseStream (REST-JSON; streams in AWS event-stream
 * framing). It speaks HTTP/2 without TLS because the Bedrock Runtime client's default handler is NodeHttp2Handler, so
 * the adapter is tested with the transport it uses in production; the shared HTTP/1.1 fake cannot serve it.
 */
export async function startBedrockRuntimeFake(): Promise<BedrockRuntimeFake> {
  const calls: ConverseCall[] = [];
  const sessions = new Set<Http2Session>();
  let reply: (request: ConverseWireRequest) => string | ScriptedReply = echo;
  let error: { type: string; message: string } | undefined;
  let silent = false;
  let open = 0;

  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(parts).toString('utf8'));
      } catch (failure) {
        sendError(res, 'InternalServerException', String(failure));
      }
    });
  });
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });

  function handle(req: Http2ServerRequest, res: Http2ServerResponse, raw: string): void {
    const match = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(new URL(req.url, 'http://fake').pathname);
    if (req.method !== 'POST' || !match?.[1] || !match[2]) {
      sendError(res, 'UnknownOperationException', `no route for ${req.method} ${req.url}`, 404);
      return;
    }
    const body = JSON.parse(raw) as ConverseWireRequest;
    const operation = match[2] as ConverseCall['operation'];
    calls.push({ operation, modelId: decodeURIComponent(match[1]), headers: req.headers, body });
    open++;
    res.on('close', () => open--);
    if (silent) return;
    if (error) {
      sendError(res, error.type, error.message);
      return;
    }
    if (!body.messages?.length || body.messages[0]?.role !== 'user') {
      sendError(res, 'ValidationException', 'A conversation must start with a user message.');
      return;
    }
    const offered = (body.toolConfig?.tools ?? []).map((tool) => String(tool.toolSpec?.name));
    const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
    const call = instructedToolCall(lastUser?.content.map((block) => block.text ?? '').join('') ?? '', offered);
    if (operation === 'converse' && call) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const toolUse = { toolUseId: `tooluse_${calls.length}`, name: call.name, input: call.arguments };
      res.end(
        JSON.stringify({
          output: { message: { role: 'assistant', content: [{ toolUse }] } },
          stopReason: 'tool_use',
          usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
          metrics: { latencyMs: 1 },
        }),
      );
      return;
    }
    const answer = shape(reply(body), body);
    if (operation === 'converse') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          output: { message: { role: 'assistant', content: [{ text: answer.deltas.join('') }] } },
          stopReason: answer.stopReason,
          usage: { ...answer.usage, totalTokens: answer.usage.inputTokens + answer.usage.outputTokens },
          metrics: { latencyMs: 1 },
        }),
      );
      return;
    }
    stream(res, answer);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    setReply: (next) => {
      reply = next ?? echo;
    },
    setError: (type, message) => {
      error = type === undefined ? undefined : { type, message: message ?? `simulated ${type}` };
    },
    setSilent: (value) => {
      silent = value;
    },
    openResponses: () => open,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

interface ShapedAnswer {
  deltas: string[];
  stopReason: string;
  usage: { inputTokens: number; outputTokens: number };
  script: ScriptedReply;
}

/** Words stand in for tokens: the text is cut at `maxTokens` words, and usage counts words. */
function shape(answer: string | ScriptedReply, body: ConverseWireRequest): ShapedAnswer {
  const script = typeof answer === 'string' ? { text: answer } : answer;
  const words = script.text.split(/(?<= )/);
  const limit = body.inferenceConfig?.maxTokens ?? Infinity;
  const deltas = words.slice(0, limit);
  const prompt = [...(body.system ?? []), ...(body.messages ?? []).flatMap((m) => m.content)]
    .map((c) => c.text ?? '')
    .join(' ');
  return {
    deltas,
    stopReason: script.stopReason ?? (words.length > limit ? 'max_tokens' : 'end_turn'),
    usage: script.usage ?? { inputTokens: prompt.split(/\s+/).filter(Boolean).length, outputTokens: deltas.length },
    script,
  };
}

function echo(request: ConverseWireRequest): string {
  const lastUser = [...(request.messages ?? [])].reverse().find((m) => m.role === 'user');
  return `You said: ${lastUser?.content.map((c) => c.text ?? '').join(' ') ?? 'nothing'}`;
}

function stream(res: Http2ServerResponse, answer: ShapedAnswer): void {
  res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
  const { streamException, stallAfterDeltas } = answer.script;
  res.write(frame('event', 'messageStart', { role: 'assistant' }));
  for (const [index, text] of answer.deltas.entries()) {
    if (streamException?.afterDeltas === index) {
      res.end(frame('exception', streamException.type, { message: streamException.message }));
      return;
    }
    if (stallAfterDeltas === index) return;
    // Split each frame across two writes so the client has to reassemble frames, as over a real network.
    const bytes = frame('event', 'contentBlockDelta', { contentBlockIndex: 0, delta: { text } });
    res.write(bytes.subarray(0, 7));
    res.write(bytes.subarray(7));
  }
  if (streamException) {
    res.end(frame('exception', streamException.type, { message: streamException.message }));
    return;
  }
  if (stallAfterDeltas !== undefined) return;
  res.write(frame('event', 'contentBlockStop', { contentBlockIndex: 0 }));
  res.write(frame('event', 'messageStop', { stopReason: answer.stopReason }));
  res.end(
    frame('event', 'metadata', {
      usage: { ...answer.usage, totalTokens: answer.usage.inputTokens + answer.usage.outputTokens },
      metrics: { latencyMs: 1 },
    }),
  );
}

/** One event-stream message; exceptions name the union member in `:exception-type`, events in `:event-type`. */
function frame(kind: 'event' | 'exception', type: string, payload: unknown): Uint8Array {
  const text = (value: string) => ({ type: 'string' as const, value });
  return codec.encode({
    headers: {
      ':message-type': text(kind),
      [kind === 'event' ? ':event-type' : ':exception-type']: text(type),
      ':content-type': text('application/json'),
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

function sendError(res: Http2ServerResponse, type: string, message: string, status = ERROR_STATUS[type] ?? 400): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-errortype': type,
    'x-amzn-requestid': 'fake-request-id',
  });
  res.end(JSON.stringify({ message }));
}
