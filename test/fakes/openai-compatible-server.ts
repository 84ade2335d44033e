import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { instructedToolCall } from './tool-call-instruction.js';

export interface FakeChatMessage {
  role: string;
  content: string;
}

export interface OpenAiCompatibleServerOptions {
  /** The assistant's answer; by default it repeats the last user message. */
  reply?: (messages: FakeChatMessage[]) => string;
  /** Answer every request with this status and an OpenAI-style error body. */
  status?: number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>` or get a 401. */
  apiKey?: string;
}

export interface OpenAiCompatibleServer {
  url: string;
  /** The JSON bodies of the chat completion requests received, in order. */
  requests: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any -- whatever the client sent, read by assertions
  close(): Promise<void>;
  setStatus(code?: number): void;
}

let sequence = 0;

/**
 * A local stand-in for an OpenAI-compatible `/v1/chat/completions` (what Ollama, llama.cpp server and vLLM expose),
 * with real SSE framing for streams. A reply is cut at `max_tokens` words and then finishes with `length`.
 */
export async function startOpenAiCompatibleServer(
  options: OpenAiCompatibleServerOptions = {},
): Promise<OpenAiCompatibleServer> {
  const requests: unknown[] = [];
  let status = options.status;
  const reply =
    options.reply ??
    ((messages) => `You said: ${[...messages].reverse().find((m) => m.role === 'user')?.content ?? 'nothing'}`);

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => fail(res, 500, String(error), 'server_error'));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== '/v1/chat/completions') {
      fail(res, 404, `Unknown request URL: ${req.method} ${req.url}`, 'invalid_request_error');
      return;
    }
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      // Like OpenAI, the message quotes part of the key it was given, which a client must never pass on.
      const given = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      fail(
        res,
        401,
        `Incorrect API key provided: ${given.slice(0, 8)}****${given.slice(-4)}.`,
        'invalid_request_error',
        'invalid_api_key',
      );
      return;
    }
    if (status !== undefined) {
      if (status === 429 || status === 503) res.setHeader('retry-after', '7');
      fail(res, status, `Simulated failure ${status}`, status === 429 ? 'rate_limit_exceeded' : 'server_error');
      return;
    }
    let body: {
      model?: unknown;
      messages?: unknown;
      tools?: { function?: { name?: unknown } }[];
      stream?: unknown;
      max_tokens?: unknown;
      stream_options?: { include_usage?: unknown };
    };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      fail(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
      return;
    }
    if (typeof body.model !== 'string' || !Array.isArray(body.messages)) {
      fail(res, 400, "'model' and 'messages' are required properties", 'invalid_request_error');
      return;
    }
    requests.push(body);
    const messages = body.messages as FakeChatMessage[];
    const words = reply(messages).split(/(?<= )/);
    const limit = typeof body.max_tokens === 'number' ? body.max_tokens : Infinity;
    const content = words.slice(0, limit);
    const finishReason = words.length > limit ? 'length' : 'stop';
    const usage = {
      prompt_tokens: messages.reduce((sum, m) => sum + String(m.content).split(/\s+/).filter(Boolean).length, 0),
      completion_tokens: content.length,
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const id = `chatcmpl-fake-${++sequence}`;
    const created = Math.floor(Date.now() / 1000);
    const offered = (body.tools ?? []).map((tool) => String(tool.function?.name));
    const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const call = body.stream !== true ? instructedToolCall(lastUser, offered) : undefined;
    if (call) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const toolCalls = [
        {
          id: `call_${sequence}`,
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(call.arguments) },
        },
      ];
      const message = { role: 'assistant', content: null, tool_calls: toolCalls };
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: body.model,
          choices: [{ index: 0, message, logprobs: null, finish_reason: 'tool_calls' }],
          usage,
        }),
      );
      return;
    }

    if (body.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: body.model,
          system_fingerprint: 'fp_fake',
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: content.join('') },
              logprobs: null,
              finish_reason: finishReason,
            },
          ],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, system_fingerprint: 'fp_fake', choices, ...extra })}\n\n`;
    const includeUsage = body.stream_options?.include_usage === true;
    const events = [
      chunk(
        [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
        includeUsage ? { usage: null } : {},
      ),
      ...content.map((text) =>
        chunk(
          [{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }],
          includeUsage ? { usage: null } : {},
        ),
      ),
      chunk(
        [{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }],
        includeUsage ? { usage: null } : {},
      ),
      ...(includeUsage ? [chunk([], { usage })] : []),
      'data: [DONE]\n\n',
    ];
    for (const event of events) {
      // Split each event's bytes across two writes so clients must reassemble frames (and characters), as over a real network.
      const bytes = Buffer.from(event, 'utf8');
      const middle = Math.floor(bytes.length / 2);
      res.write(bytes.subarray(0, middle));
      res.write(bytes.subarray(middle));
    }
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setStatus(code?: number) {
      status = code;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function fail(res: ServerResponse, status: number, message: string, type: string, code: string | null = null): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type, param: null, code } }));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}
