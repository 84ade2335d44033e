import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { AbortedError, LanguageModelUnavailableError, isCoreError, type CoreError } from '../../core/errors.js';
import type { Completion, CompletionChunk, TokenUsage, ToolCall } from '../../core/model/completion.js';
import type { CompletionRequest, LanguageModel } from '../../core/ports/language-model.js';
import type { Clock } from '../../core/ports/clock.js';
import { systemClock } from '../../core/defaults.js';
import { Deadline } from '../shared/deadline.js';
import { httpStatusError, parseRetryAfter, type ServiceErrorPolicy } from '../shared/service-errors.js';

const ADAPTER = 'openai-compatible';

/** A status the server chose: 408, 429 and 5xx pass; any other refusal means this adapter sent a bad request. */
const HTTP_ERRORS: ServiceErrorPolicy = {
  adapter: ADAPTER,
  unavailable: new Set(),
  refusal: 'internal',
  unavailableError: (detail, options) => new LanguageModelUnavailableError(`${ADAPTER}: ${detail}`, options),
};

export interface OpenAiCompatibleLanguageModelOptions {
  /** Server root (`http://localhost:11434`) or its `/v1` base (`https://api.openai.com/v1`); both work. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Longest wait for the server to answer and, while streaming, between two chunks. Default 60 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Reads the time a Retry-After date is counted from; default `systemClock`. */
  clock?: Clock;
}

interface WireUsage {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
}

/** Talks to any server speaking OpenAI's `/v1/chat/completions`: Ollama, llama.cpp server, vLLM, OpenAI itself. */
export class OpenAiCompatibleLanguageModel implements LanguageModel {
  readonly capabilities = { streaming: true, answersOpenQuestions: true, tools: true };
  private readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;
  private readonly clock: Clock;

  constructor(private readonly options: OpenAiCompatibleLanguageModelOptions) {
    const base = options.baseUrl.replace(/\/+$/, '');
    this.endpoint = `${base}${/\/v1$/.test(base) ? '' : '/v1'}/chat/completions`;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.clock = options.clock ?? systemClock;
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    const deadline = new Deadline(this.timeoutMs);
    try {
      const response = await this.post(request, false, deadline);
      const body = parseJson(await response.text());
      const choice = firstChoice(body);
      const content = (choice?.message as { content?: unknown } | undefined)?.content;
      if (typeof content !== 'string' && content !== null) throw malformed('the reply has no message content');
      const usage = usageOf((body as { usage?: WireUsage }).usage);
      const toolCall = toolCallOf((choice?.message as { tool_calls?: unknown } | undefined)?.tool_calls);
      return {
        text: content ?? '',
        model: typeof body.model === 'string' && body.model ? body.model : this.options.model,
        finishReason: toolCall ? 'tool-call' : finishReasonOf(choice?.finish_reason),
        ...(usage && { usage }),
        ...(toolCall && { toolCall }),
      };
    } catch (error) {
      throw this.translate(error, deadline, request.signal);
    } finally {
      deadline.clear();
    }
  }

  async *stream(request: CompletionRequest): AsyncIterable<CompletionChunk> {
    const deadline = new Deadline(this.timeoutMs);
    try {
      const response = await this.post(request, true, deadline);
      if (!response.body) throw malformed('the stream has no body');
      const events: EventSourceMessage[] = [];
      const parser = createParser({ onEvent: (event) => events.push(event) });
      const decoder = new TextDecoder();
      let finishReason: Completion['finishReason'] | undefined;
      let usage: TokenUsage | undefined;
      let done = false;
      for await (const bytes of response.body) {
        deadline.arm();
        parser.feed(decoder.decode(bytes as Uint8Array, { stream: true }));
        for (const event of events.splice(0)) {
          // One network read can carry many events; the caller may have aborted while the previous one was consumed.
          if (request.signal?.aborted) throw request.signal.reason;
          if (event.data.trim() === '[DONE]') {
            done = true;
            break;
          }
          const chunk = parseJson(event.data) as { error?: unknown; usage?: WireUsage };
          if (chunk.error !== undefined) throw this.streamError(chunk.error);
          const choice = firstChoice(chunk);
          const text = (choice?.delta as { content?: unknown } | undefined)?.content;
          if (typeof text === 'string' && text.length > 0) {
            // Time the consumer spends between pulls (synthesizing speech, say) is not the server's silence.
            deadline.clear();
            yield { type: 'text', text };
            deadline.arm();
          }
          if (typeof choice?.finish_reason === 'string') finishReason = finishReasonOf(choice.finish_reason);
          usage = usageOf(chunk.usage) ?? usage;
        }
        if (done) break;
      }
      if (!done && finishReason === undefined) throw malformed('the stream ended before the model finished');
      yield { type: 'finish', finishReason: finishReason ?? 'other', ...(usage && { usage }) };
    } catch (error) {
      throw this.translate(error, deadline, request.signal);
    } finally {
      // Releases the connection when the consumer stops iterating early.
      deadline.cancel();
    }
  }

  private async post(request: CompletionRequest, stream: boolean, deadline: Deadline): Promise<Response> {
    const response = await this.fetch(this.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: stream ? 'text/event-stream' : 'application/json',
        ...(this.options.apiKey && { authorization: `Bearer ${this.options.apiKey}` }),
      },
      body: JSON.stringify({
        model: this.options.model,
        messages: [...(request.system ? [{ role: 'system', content: request.system }] : []), ...request.messages],
        stream,
        ...(stream && { stream_options: { include_usage: true } }),
        ...(request.maxTokens !== undefined && { max_tokens: request.maxTokens }),
        ...(request.temperature !== undefined && { temperature: request.temperature }),
        ...(!stream &&
          request.tools?.length && {
            tools: request.tools.map((tool) => ({
              type: 'function',
              function: { name: tool.name, description: tool.description, parameters: tool.parameters },
            })),
          }),
      }),
      signal: deadline.link(request.signal),
    });
    if (!response.ok) throw await this.httpError(response);
    return response;
  }

  private async httpError(response: Response): Promise<CoreError> {
    const status = response.status;
    if (status === 408 || status === 429 || status >= 500) {
      const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), this.clock.now().getTime());
      return httpStatusError(HTTP_ERRORS, status, await this.detailOf(response), retryAfterSeconds);
    }
    // Servers such as OpenAI echo (part of) the rejected key in their message, so none of it is repeated here.
    const detail = status === 401 || status === 403 ? ' (the API key was rejected)' : await this.detailOf(response);
    return httpStatusError(HTTP_ERRORS, status, ` from ${this.endpoint}${detail}`);
  }

  private async detailOf(response: Response): Promise<string> {
    const text = await response.text().catch(() => '');
    let message = text;
    try {
      const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
      const candidate = typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message);
      if (typeof candidate === 'string') message = candidate;
    } catch {
      // Not JSON: the raw text is the best description available.
    }
    const cleaned = this.redact(message).replace(/\s+/g, ' ').trim().slice(0, 200);
    return cleaned ? `: ${cleaned}` : '';
  }

  private streamError(error: unknown): CoreError {
    const message = typeof error === 'string' ? error : (error as { message?: unknown })?.message;
    return new LanguageModelUnavailableError(
      `${ADAPTER}: the server reported an error mid-stream: ${this.redact(typeof message === 'string' ? message : (JSON.stringify(message) ?? 'unknown'))}`,
    );
  }

  private redact(text: string): string {
    const key = this.options.apiKey;
    return key ? text.split(key).join('[redacted]') : text;
  }

  private translate(error: unknown, deadline: Deadline, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted) return new AbortedError(`${ADAPTER}: request aborted by caller`, { cause: signal.reason });
    if (deadline.timedOut) {
      return new LanguageModelUnavailableError(`${ADAPTER}: no answer within ${this.timeoutMs} ms`, { cause: error });
    }
    if (isCoreError(error)) return error;
    const code = (error as { cause?: { code?: unknown } })?.cause?.code;
    const reason = typeof code === 'string' ? code : error instanceof Error ? error.message : 'request failed';
    return new LanguageModelUnavailableError(`${ADAPTER}: cannot reach ${this.endpoint} (${reason})`, { cause: error });
  }
}

function parseJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw malformed('the reply is not JSON', error);
  }
  if (typeof value !== 'object' || value === null) throw malformed('the reply is not a JSON object');
  return value as Record<string, unknown>;
}

function firstChoice(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const choices = body.choices;
  if (choices === undefined) return undefined;
  if (!Array.isArray(choices)) throw malformed('"choices" is not an array');
  const first: unknown = choices[0];
  return typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : undefined;
}

function usageOf(usage: WireUsage | undefined): TokenUsage | undefined {
  if (typeof usage?.prompt_tokens !== 'number' || typeof usage.completion_tokens !== 'number') return undefined;
  return { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
}

/** The first function call of a reply's `tool_calls`; its JSON arguments parsed, unparseable ones kept as text. */
function toolCallOf(calls: unknown): ToolCall | undefined {
  if (!Array.isArray(calls)) return undefined;
  const fn = (calls[0] as { function?: { name?: unknown; arguments?: unknown } } | undefined)?.function;
  if (typeof fn?.name !== 'string') return undefined;
  let args: unknown = fn.arguments;
  if (typeof args === 'string') {
    try {
      args = JSON.parse(args) as unknown;
    } catch {
      // Left as text: the core's validation refuses it.
    }
  }
  return { name: fn.name, arguments: args };
}

/** Maps OpenAI's `finish_reason` to the port's; tool calls and unknown values become `other`. */
export function finishReasonOf(reason: unknown): Completion['finishReason'] {
  if (reason === 'stop') return 'stop';
  if (reason === 'length') return 'length';
  if (reason === 'content_filter') return 'content-filter';
  return 'other';
}

function malformed(what: string, cause?: unknown): LanguageModelUnavailableError {
  return new LanguageModelUnavailableError(
    `${ADAPTER}: unexpected response: ${what}`,
    cause === undefined ? {} : { cause },
  );
}
