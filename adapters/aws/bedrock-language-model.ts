import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  type BedrockRuntimeClientConfig,
  type ConverseCommandInput,
  type TokenUsage as WireUsage,
} from '@aws-sdk/client-bedrock-runtime';
import { AbortedError, CoreError, ErrorCodes, LanguageModelUnavailableError, isCoreError } from '../../core/errors.js';
import type { Completion, CompletionChunk, TokenUsage } from '../../core/model/completion.js';
import type { CompletionRequest, LanguageModel } from '../../core/ports/language-model.js';
import { noopTelemetry } from '../../core/defaults.js';
import { type Telemetry } from '../../core/ports/telemetry.js';
import { Deadline } from '../shared/deadline.js';

import { rejectIfAborted } from '../shared/abort.js';

const ADAPTER = 'bedrock';

/**
 * Claude 3 Haiku, callable on demand by its plain id. Claude 3.5 Haiku is `anthropic.claude-3-5-haiku-20241022-v1:0`,
 * but it and newer models only run through a cross-region inference profile, whose id carries a geography prefix:
 * `us.anthropic.claude-3-5-haiku-20241022-v1:0`. Their plain id fails with a ValidationException.
 */
export const DEFAULT_BEDROCK_MODEL_ID = 'anthropic.claude-3-haiku-20240307-v1:0';

interface BedrockLanguageModelSettings {
  /** A model id, inference profile id, or either's ARN. Default DEFAULT_BEDROCK_MODEL_ID. */
  modelId?: string;
  /** Used when a request sets none. */
  maxTokens?: number;
  /** Used when a request sets none. */
  temperature?: number;
  guardrail?: { id: string; version: string };
  /** Longest wait for the first answer and, while streaming, between two events. Default 60 s. */
  timeoutMs?: number;
  /** Receives LlmInputTokens / LlmOutputTokens (Count, dimension `model`) for every finished call. */
  telemetry?: Telemetry;
}

export type BedrockLanguageModelOptions = BedrockLanguageModelSettings &
  (
    | { client: BedrockRuntimeClient; clientConfig?: never }
    | { client?: never; clientConfig?: BedrockRuntimeClientConfig }
  );

/** Errors that say "not now": the caller may retry or fall back. Everything else Bedrock models is a caller bug. */
const UNAVAILABLE = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'ModelNotReadyException',
  'InternalServerException',
  'ModelTimeoutException',
  'ModelErrorException',
  'ModelStreamErrorException',
  'ServiceQuotaExceededException',
]);

const HINTS: Record<string, string> = {
  AccessDeniedException: 'access denied; check bedrock:InvokeModel permission and model access in this region',
  ResourceNotFoundException: 'model not found; check the model or inference profile id and the region',
};

/** Claude (or any Converse-capable model) on Amazon Bedrock through the Converse and ConverseStream APIs. */
export class BedrockLanguageModel implements LanguageModel {
  readonly capabilities = { streaming: true, answersOpenQuestions: true, tools: true };
  readonly modelId: string;
  private readonly client: BedrockRuntimeClient;
  private readonly timeoutMs: number;
  private readonly telemetry: Telemetry;

  constructor(private readonly options: BedrockLanguageModelOptions = {}) {
    this.modelId = options.modelId ?? DEFAULT_BEDROCK_MODEL_ID;
    this.client = options.client ?? new BedrockRuntimeClient(options.clientConfig ?? {});
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.telemetry = options.telemetry ?? noopTelemetry;
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    rejectIfAborted(ADAPTER, request.signal);
    const deadline = new Deadline(this.timeoutMs);
    try {
      const output = await this.client.send(new ConverseCommand(this.input(request, true)), {
        abortSignal: deadline.link(request.signal),
      });
      const content = output.output?.message?.content ?? [];
      const text = content.map((block) => block.text ?? '').join('');
      const usage = this.record(output.usage);
      const use = content.find((block) => block.toolUse !== undefined)?.toolUse;
      const toolCall = use?.name === undefined ? undefined : { name: use.name, arguments: use.input as unknown };
      return {
        text,
        model: this.modelId,
        finishReason: toolCall ? 'tool-call' : finishReasonOf(output.stopReason),
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
    rejectIfAborted(ADAPTER, request.signal);
    const deadline = new Deadline(this.timeoutMs);
    try {
      const output = await this.client.send(new ConverseStreamCommand(this.input(request)), {
        abortSignal: deadline.link(request.signal),
      });
      if (!output.stream)
        throw new LanguageModelUnavailableError(`${ADAPTER}: the ConverseStream answer has no stream`);
      let finishReason: Completion['finishReason'] | undefined;
      let usage: WireUsage | undefined;
      for await (const event of output.stream) {
        deadline.arm();
        // One network read can carry many events; the caller may have aborted while the previous one was consumed.
        if (request.signal?.aborted) throw request.signal.reason;
        const text = event.contentBlockDelta?.delta?.text;
        if (text) {
          // Time the consumer spends between pulls (synthesizing speech, say) is not the model's silence.
          deadline.clear();
          yield { type: 'text', text };
          deadline.arm();
        } else if (event.messageStop) {
          finishReason = finishReasonOf(event.messageStop.stopReason);
        } else if (event.metadata) {
          usage = event.metadata.usage;
        }
      }
      if (request.signal?.aborted) throw request.signal.reason;
      if (finishReason === undefined)
        throw new LanguageModelUnavailableError(`${ADAPTER}: the stream ended before the model finished`);
      const recorded = this.record(usage);
      deadline.clear();
      yield { type: 'finish', finishReason, ...(recorded && { usage: recorded }) };
    } catch (error) {
      throw this.translate(error, deadline, request.signal);
    } finally {
      // Closes the HTTP/2 stream when the consumer stops iterating early.
      deadline.cancel();
    }
  }

  /** `withTools`: only complete() reads a tool call back, so only it offers the tools. */
  private input(request: CompletionRequest, withTools = false): ConverseCommandInput {
    const maxTokens = request.maxTokens ?? this.options.maxTokens;
    const temperature = request.temperature ?? this.options.temperature;
    const inferenceConfig = {
      ...(maxTokens !== undefined && { maxTokens }),
      ...(temperature !== undefined && { temperature }),
    };
    const guardrail = this.options.guardrail;
    return {
      modelId: this.modelId,
      messages: request.messages.map((message) => ({ role: message.role, content: [{ text: message.content }] })),
      ...(request.system && { system: [{ text: request.system }] }),
      ...(Object.keys(inferenceConfig).length > 0 && { inferenceConfig }),
      ...(guardrail && { guardrailConfig: { guardrailIdentifier: guardrail.id, guardrailVersion: guardrail.version } }),
      ...(withTools &&
        request.tools?.length && {
          toolConfig: {
            tools: request.tools.map((tool) => ({
              toolSpec: {
                name: tool.name,
                description: tool.description,
                inputSchema: { json: tool.parameters },
              },
            })),
          },
        }),
    };
  }

  private record(wire: WireUsage | undefined): TokenUsage | undefined {
    if (typeof wire?.inputTokens !== 'number' || typeof wire.outputTokens !== 'number') return undefined;
    const dimensions = { model: this.modelId };
    this.telemetry.metric('LlmInputTokens', wire.inputTokens, 'Count', dimensions);
    this.telemetry.metric('LlmOutputTokens', wire.outputTokens, 'Count', dimensions);
    return { inputTokens: wire.inputTokens, outputTokens: wire.outputTokens };
  }

  private translate(error: unknown, deadline: Deadline, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted) return new AbortedError(`${ADAPTER}: request aborted by caller`, { cause: signal.reason });
    if (deadline.timedOut) {
      return new LanguageModelUnavailableError(
        `${ADAPTER}: no answer from ${this.modelId} within ${this.timeoutMs} ms`,
        { cause: error },
      );
    }
    if (isCoreError(error)) return error;
    const { name, $fault, $metadata } = (error ?? {}) as {
      name?: string;
      $fault?: string;
      $metadata?: { httpStatusCode?: number };
    };
    const isServiceError = $fault !== undefined;
    if (name && (UNAVAILABLE.has(name) || (isServiceError && $fault === 'server'))) {
      return new LanguageModelUnavailableError(`${ADAPTER}: ${name} from ${this.modelId}`, { cause: error });
    }
    if (isServiceError) {
      // Service messages can quote ARNs with account ids and role names; those stay in `cause`, out of the message.
      const detail = HINTS[name ?? ''] ?? redact((error as Error).message);
      return new CoreError(ErrorCodes.INTERNAL, `${ADAPTER}: ${name} for ${this.modelId}: ${detail}`, {
        cause: error,
        details: { errorType: name, httpStatusCode: $metadata?.httpStatusCode },
      });
    }
    // No service error at all: the connection failed, timed out in the SDK, or the stream broke off.
    return new LanguageModelUnavailableError(
      `${ADAPTER}: request to ${this.modelId} failed (${rootCodeOf(error) ?? name ?? 'unknown error'})`,
      { cause: error },
    );
  }
}

/** Maps Converse's stopReason to the port's; tool use and malformed output become `other`. */
export function finishReasonOf(reason: string | undefined): Completion['finishReason'] {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content-filter';
    default:
      return 'other';
  }
}

/** The innermost error code: the HTTP/2 handler wraps `ECONNREFUSED` in `ERR_HTTP2_STREAM_CANCEL`. */
function rootCodeOf(error: unknown): string | undefined {
  let code: string | undefined;
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const own = (current as { code?: unknown }).code;
    if (typeof own === 'string') code = own;
  }
  return code;
}

function redact(message: string | undefined): string {
  return (message ?? 'no detail')
    .replace(/arn:aws[\w-]*:[^\s"',]*/g, '[arn]')
    .replace(/\b\d{12}\b/g, '[account]')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}
