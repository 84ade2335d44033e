import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  OpenAiCompatibleLanguageModel,
  finishReasonOf,
} from '../../../adapters/local/openai-compatible-language-model.js';
import { AbortedError, CoreError, LanguageModelUnavailableError } from '../../../core/errors.js';
import type { CompletionChunk } from '../../../core/model/completion.js';
import type { CompletionRequest } from '../../../core/ports/language-model.js';
import { describeLanguageModelContract } from '../../contract/language-model.contract.js';
import { startOpenAiCompatibleServer, type OpenAiCompatibleServer } from '../../fakes/openai-compatible-server.js';

describeLanguageModelContract('OpenAiCompatibleLanguageModel against a local OpenAI-compatible server', async () => {
  const server = await startOpenAiCompatibleServer({ apiKey: 'sk-contract' });
  const model = new OpenAiCompatibleLanguageModel({
    baseUrl: server.url,
    model: 'llama3.2',
    apiKey: 'sk-contract',
    timeoutMs: 5_000,
  });
  return { model, dispose: () => server.close(), setUnavailable: () => server.setStatus(503) };
});

const REQUEST: CompletionRequest = { system: 'Be brief.', messages: [{ role: 'user', content: 'hello there' }] };
const API_KEY = 'sk-secret-key-123456';

async function collect(stream: AsyncIterable<CompletionChunk>): Promise<CompletionChunk[]> {
  const chunks: CompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

async function rejection(promise: Promise<unknown>): Promise<CoreError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof CoreError)) throw new Error(`expected a CoreError, got ${String(error)}`);
  return error;
}

/** A fetch answering with a canned body, for mapping cases a well-behaved server never produces. */
function cannedFetch(status: number, body: string, headers: Record<string, string> = {}): typeof fetch {
  return async () => new Response(body, { status, headers });
}

function sse(...events: unknown[]): string {
  return events.map((event) => `data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`).join('');
}

describe('OpenAiCompatibleLanguageModel over HTTP', () => {
  let server: OpenAiCompatibleServer | undefined;
  let silent: Server | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
    silent?.closeAllConnections();
    await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
    silent = undefined;
  });

  it('sends the system prompt first, then the conversation, with the model and the bearer key', async () => {
    server = await startOpenAiCompatibleServer({ apiKey: API_KEY });
    const model = new OpenAiCompatibleLanguageModel({ baseUrl: server.url, model: 'qwen2.5', apiKey: API_KEY });

    const completion = await model.complete({ ...REQUEST, maxTokens: 50, temperature: 0.2 });

    expect(completion).toMatchObject({
      text: 'You said: hello there',
      model: 'qwen2.5',
      finishReason: 'stop',
      usage: { inputTokens: 4, outputTokens: 4 },
    });
    expect(server.requests[0]).toMatchObject({
      model: 'qwen2.5',
      stream: false,
      max_tokens: 50,
      temperature: 0.2,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello there' },
      ],
    });
  });

  it('accepts a base URL that already ends in /v1', async () => {
    server = await startOpenAiCompatibleServer();
    const model = new OpenAiCompatibleLanguageModel({ baseUrl: `${server.url}/v1/`, model: 'm' });

    await expect(model.complete(REQUEST)).resolves.toMatchObject({ text: 'You said: hello there' });
  });

  it('streams with include_usage and reports usage and the finish reason in the last chunk', async () => {
    server = await startOpenAiCompatibleServer({ reply: () => 'Grüße aus dem Stream 🎵 heute' });
    const model = new OpenAiCompatibleLanguageModel({ baseUrl: server.url, model: 'm' });

    const chunks = await collect(model.stream(REQUEST));

    expect(server.requests[0]).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(chunks.map((c) => (c.type === 'text' ? c.text : '')).join('')).toBe('Grüße aus dem Stream 🎵 heute');
    expect(chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 4, outputTokens: 6 } });
  });

  it('maps a reply cut at max_tokens to finishReason length, streamed or not', async () => {
    server = await startOpenAiCompatibleServer({ reply: () => 'one two three four five' });
    const model = new OpenAiCompatibleLanguageModel({ baseUrl: server.url, model: 'm' });

    await expect(model.complete({ ...REQUEST, maxTokens: 2 })).resolves.toMatchObject({
      text: 'one two ',
      finishReason: 'length',
    });
    await expect(collect(model.stream({ ...REQUEST, maxTokens: 2 }))).resolves.toContainEqual(
      expect.objectContaining({ type: 'finish', finishReason: 'length' }),
    );
  });

  it('maps a rejected key to a non-retryable INTERNAL error that never repeats the key', async () => {
    server = await startOpenAiCompatibleServer({ apiKey: 'sk-the-right-one' });
    const model = new OpenAiCompatibleLanguageModel({ baseUrl: server.url, model: 'm', apiKey: API_KEY });

    const error = await rejection(model.complete(REQUEST));

    expect(error).toMatchObject({ code: 'INTERNAL', retryable: false });
    expect(error.message).toMatch(/^openai-compatible: HTTP 401/);
    expect(error.message).not.toContain(API_KEY.slice(0, 8));
    expect(error.message).not.toContain(API_KEY.slice(-4));
    expect(JSON.stringify(error.details)).not.toContain(API_KEY.slice(-4));
  });

  it.each([429, 500, 503])('maps HTTP %i to a retryable LanguageModelUnavailableError', async (status) => {
    server = await startOpenAiCompatibleServer({ status });
    const model = new OpenAiCompatibleLanguageModel({ baseUrl: server.url, model: 'm' });

    const error = await rejection(model.complete(REQUEST));

    expect(error).toBeInstanceOf(LanguageModelUnavailableError);
    expect(error).toMatchObject({ retryable: true, retryAfterSeconds: status === 500 ? undefined : 7 });
    expect(error.message).toContain(`HTTP ${status}`);
  });

  it.each([400, 404])('maps HTTP %i to a non-retryable INTERNAL error naming the adapter', async (status) => {
    server = await startOpenAiCompatibleServer({ status });
    const model = new OpenAiCompatibleLanguageModel({ baseUrl: server.url, model: 'm' });

    const error = await rejection(collect(model.stream(REQUEST)));

    expect(error).toMatchObject({ code: 'INTERNAL', retryable: false });
    expect(error.message).toMatch(new RegExp(`^openai-compatible: HTTP ${status} .*Simulated failure ${status}`));
  });

  it('redacts the key from error text a server echoes back', async () => {
    const model = new OpenAiCompatibleLanguageModel({
      baseUrl: 'http://127.0.0.1:9',
      model: 'm',
      apiKey: API_KEY,
      fetch: cannedFetch(400, JSON.stringify({ error: { message: `bad request made with ${API_KEY}` } })),
    });

    const error = await rejection(model.complete(REQUEST));

    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(API_KEY);
  });

  it('maps a refused connection to a retryable LanguageModelUnavailableError with the cause', async () => {
    server = await startOpenAiCompatibleServer();
    const url = server.url;
    await server.close();
    server = undefined;
    const model = new OpenAiCompatibleLanguageModel({ baseUrl: url, model: 'm' });

    const error = await rejection(model.complete(REQUEST));

    expect(error).toBeInstanceOf(LanguageModelUnavailableError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('gives up after timeoutMs on a server that never answers', async () => {
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent?.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const model = new OpenAiCompatibleLanguageModel({
      baseUrl: `http://127.0.0.1:${port}`,
      model: 'm',
      timeoutMs: 100,
    });

    const error = await rejection(model.complete(REQUEST));

    expect(error).toBeInstanceOf(LanguageModelUnavailableError);
    expect(error.message).toBe('openai-compatible: no answer within 100 ms');
  });

  it('lets a slow stream run past timeoutMs as long as no gap between chunks is that long', async () => {
    // Generous margins: each gap is a small fraction of the timeout, the whole stream well over it.
    silent = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let sent = 0;
      const timer = setInterval(() => {
        if (sent === 15) {
          clearInterval(timer);
          res.end(sse({ choices: [{ delta: {}, finish_reason: 'stop' }] }, '[DONE]'));
          return;
        }
        res.write(sse({ choices: [{ delta: { content: `${sent++} ` } }] }));
      }, 40);
      res.on('close', () => clearInterval(timer));
    });
    await new Promise<void>((resolve) => silent?.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const model = new OpenAiCompatibleLanguageModel({
      baseUrl: `http://127.0.0.1:${port}`,
      model: 'm',
      timeoutMs: 300,
    });

    const chunks = await collect(model.stream(REQUEST));

    expect(chunks).toHaveLength(16);
    expect(chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  it('does not count the time a slow consumer spends between chunks against timeoutMs', async () => {
    server = await startOpenAiCompatibleServer({ reply: () => 'slow consumer here' });
    const model = new OpenAiCompatibleLanguageModel({ baseUrl: server.url, model: 'm', timeoutMs: 100 });
    const texts: string[] = [];

    for await (const chunk of model.stream(REQUEST)) {
      if (chunk.type === 'text') texts.push(chunk.text);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    expect(texts.join('')).toBe('slow consumer here');
  });

  it('turns a caller abort during the request into AbortedError', async () => {
    silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent?.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const model = new OpenAiCompatibleLanguageModel({
      baseUrl: `http://127.0.0.1:${port}`,
      model: 'm',
      timeoutMs: 10_000,
    });
    const controller = new AbortController();

    const pending = model.complete({ ...REQUEST, signal: controller.signal });
    controller.abort(new Error('user hung up'));

    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });

  it('stops the stream with AbortedError when the caller aborts between chunks', async () => {
    server = await startOpenAiCompatibleServer({ reply: () => 'a b c d e f' });
    const model = new OpenAiCompatibleLanguageModel({ baseUrl: server.url, model: 'm' });
    const controller = new AbortController();
    const seen: string[] = [];

    const reading = (async () => {
      for await (const chunk of model.stream({ ...REQUEST, signal: controller.signal })) {
        if (chunk.type === 'text') seen.push(chunk.text);
        controller.abort();
      }
    })();

    await expect(reading).rejects.toBeInstanceOf(AbortedError);
    expect(seen).toEqual(['a ']);
  });
});

describe('OpenAiCompatibleLanguageModel response mapping', () => {
  const model = (canned: typeof globalThis.fetch) =>
    new OpenAiCompatibleLanguageModel({ baseUrl: 'http://127.0.0.1:9', model: 'fallback-model', fetch: canned });

  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['content_filter', 'content-filter'],
    ['tool_calls', 'other'],
    [null, 'other'],
    [undefined, 'other'],
  ])('maps finish_reason %s to %s', (wire, mapped) => {
    expect(finishReasonOf(wire)).toBe(mapped);
  });

  it('reads a content-filtered completion and falls back to the configured model name', async () => {
    const body = JSON.stringify({
      choices: [
        { message: { role: 'assistant', content: 'I cannot help with that.' }, finish_reason: 'content_filter' },
      ],
    });

    await expect(model(cannedFetch(200, body)).complete(REQUEST)).resolves.toEqual({
      text: 'I cannot help with that.',
      model: 'fallback-model',
      finishReason: 'content-filter',
    });
  });

  it.each([
    ['a body that is not JSON', '<html>proxy error</html>'],
    ['choices that are not an array', JSON.stringify({ choices: 'nope' })],
    [
      'a message without content',
      JSON.stringify({ choices: [{ message: { role: 'assistant' }, finish_reason: 'stop' }] }),
    ],
  ])('maps %s to LanguageModelUnavailableError', async (_case, body) => {
    const error = await rejection(model(cannedFetch(200, body)).complete(REQUEST));

    expect(error).toBeInstanceOf(LanguageModelUnavailableError);
    expect(error.message).toMatch(/^openai-compatible: unexpected response/);
  });

  it('maps an error event inside the stream to LanguageModelUnavailableError', async () => {
    const body = sse({ choices: [{ delta: { content: 'Hel' } }] }, { error: { message: 'model crashed' } });

    const error = await rejection(
      collect(model(cannedFetch(200, body, { 'content-type': 'text/event-stream' })).stream(REQUEST)),
    );

    expect(error).toBeInstanceOf(LanguageModelUnavailableError);
    expect(error.message).toContain('model crashed');
  });

  it('maps a stream that ends before the model finished to LanguageModelUnavailableError', async () => {
    const body = sse({ choices: [{ delta: { content: 'Hel' }, finish_reason: null }] });

    await expect(collect(model(cannedFetch(200, body)).stream(REQUEST))).rejects.toBeInstanceOf(
      LanguageModelUnavailableError,
    );
  });

  it('finishes with "other" when [DONE] arrives without a finish reason', async () => {
    const body = sse({ choices: [{ delta: { content: 'Hi' } }] }, '[DONE]');

    await expect(collect(model(cannedFetch(200, body)).stream(REQUEST))).resolves.toEqual([
      { type: 'text', text: 'Hi' },
      { type: 'finish', finishReason: 'other' },
    ]);
  });
});
