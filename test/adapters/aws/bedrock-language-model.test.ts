import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BedrockLanguageModel,
  DEFAULT_BEDROCK_MODEL_ID,
  finishReasonOf,
} from '../../../adapters/aws/bedrock-language-model.js';
import { AbortedError, CoreError, LanguageModelUnavailableError } from '../../../core/errors.js';
import type { CompletionChunk } from '../../../core/model/completion.js';
import type { CompletionRequest } from '../../../core/ports/language-model.js';
import type { MetricUnit, Telemetry } from '../../../core/ports/telemetry.js';
import { describeLanguageModelContract } from '../../contract/language-model.contract.js';
import { startBedrockRuntimeFake, type BedrockRuntimeFake } from '../../fakes/aws/bedrock-runtime-fake.js';
import { TEST_AWS_CLIENT_CONFIG } from '../../fakes/aws/fake-aws-server.js';
import { skipWhen } from '../../support/skip-reason.js';

describeLanguageModelContract(
  'BedrockLanguageModel against a loopback Bedrock Runtime (HTTP/2, event stream)',
  async () => {
    const fake = await startBedrockRuntimeFake();
    const client = new BedrockRuntimeClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: fake.url });
    const model = new BedrockLanguageModel({ client, timeoutMs: 5_000 });
    return {
      model,
      setUnavailable: () => fake.setError('ServiceUnavailableException'),
      dispose: async () => {
        client.destroy();
        await fake.close();
      },
    };
  },
);

const IT_AWS = process.env.IT_AWS;
describe(
  'against Amazon Bedrock (IT_AWS)',
  skipWhen(!IT_AWS, 'set IT_AWS=1 with AWS credentials, a region and model access to run it'),
  () => {
    describeLanguageModelContract('BedrockLanguageModel against Amazon Bedrock', async () => {
      const client = new BedrockRuntimeClient({ region: process.env.AWS_REGION ?? 'us-east-1' });
      const model = new BedrockLanguageModel({
        client,
        ...(process.env.IT_BEDROCK_MODEL_ID && { modelId: process.env.IT_BEDROCK_MODEL_ID }),
      });
      return { model, deterministic: false, dispose: async () => client.destroy() };
    });
  },
);

const REQUEST: CompletionRequest = { system: 'Be brief.', messages: [{ role: 'user', content: 'hello there' }] };

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

function recordingTelemetry(): Telemetry & {
  metrics: { name: string; value: number; unit: MetricUnit; dimensions?: Record<string, string> }[];
} {
  const metrics: { name: string; value: number; unit: MetricUnit; dimensions?: Record<string, string> }[] = [];
  return {
    metrics,
    metric: (name, value, unit, dimensions) => metrics.push({ name, value, unit, ...(dimensions && { dimensions }) }),
    span: (_name, fn) => fn(),
    warn: () => undefined,
    error: () => undefined,
  };
}

describe('BedrockLanguageModel over the wire', () => {
  let fake: BedrockRuntimeFake;
  let client: BedrockRuntimeClient;
  const model = (
    options: Omit<ConstructorParameters<typeof BedrockLanguageModel>[0] & object, 'client' | 'clientConfig'> = {},
  ) => new BedrockLanguageModel({ ...options, client });

  beforeEach(async () => {
    fake = await startBedrockRuntimeFake();
    client = new BedrockRuntimeClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: fake.url });
  });

  afterEach(async () => {
    client.destroy();
    await fake.close();
  });

  it('sends the system prompt, the messages as the core shaped them, inference settings and the guardrail', async () => {
    const bedrock = model({
      modelId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
      maxTokens: 300,
      temperature: 0.7,
      guardrail: { id: 'gr-123', version: '2' },
    });
    const request: CompletionRequest = {
      system: 'You are a voice assistant.',
      messages: [
        { role: 'user', content: 'What is the weather\nin Paris?' },
        { role: 'assistant', content: 'Sunny.' },
        { role: 'user', content: 'And tomorrow?' },
      ],
      temperature: 0.2,
    };

    await bedrock.complete(request);
    await collect(bedrock.stream(request));

    expect(fake.calls.map((call) => [call.operation, call.modelId])).toEqual([
      ['converse', 'us.anthropic.claude-3-5-haiku-20241022-v1:0'],
      ['converse-stream', 'us.anthropic.claude-3-5-haiku-20241022-v1:0'],
    ]);
    const expected = {
      system: [{ text: 'You are a voice assistant.' }],
      messages: [
        { role: 'user', content: [{ text: 'What is the weather\nin Paris?' }] },
        { role: 'assistant', content: [{ text: 'Sunny.' }] },
        { role: 'user', content: [{ text: 'And tomorrow?' }] },
      ],
      inferenceConfig: { maxTokens: 300, temperature: 0.2 },
      guardrailConfig: { guardrailIdentifier: 'gr-123', guardrailVersion: '2' },
    };
    expect(fake.calls[0]?.body).toEqual(expected);
    expect(fake.calls[1]?.body).toEqual(expected);
    expect(fake.calls[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/us-east-1\/bedrock\/aws4_request/,
    );
  });

  it('leaves out system, inferenceConfig and guardrailConfig when nothing sets them, and defaults to Claude 3 Haiku', async () => {
    const bedrock = new BedrockLanguageModel({ clientConfig: { ...TEST_AWS_CLIENT_CONFIG, endpoint: fake.url } });

    const completion = await bedrock.complete({ system: '', messages: [{ role: 'user', content: 'hi' }] });

    expect(completion).toMatchObject({ text: 'You said: hi', model: DEFAULT_BEDROCK_MODEL_ID, finishReason: 'stop' });
    expect(fake.calls[0]?.modelId).toBe('anthropic.claude-3-haiku-20240307-v1:0');
    expect(fake.calls[0]?.body).toEqual({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
  });

  it('streams the text in deltas, then finishes with the stop reason and usage', async () => {
    fake.setReply(() => 'Grüße aus dem Stream 🎵 heute');

    const chunks = await collect(model().stream(REQUEST));

    expect(chunks.filter((chunk) => chunk.type === 'text').length).toBeGreaterThan(1);
    expect(chunks.map((chunk) => (chunk.type === 'text' ? chunk.text : '')).join('')).toBe(
      'Grüße aus dem Stream 🎵 heute',
    );
    expect(chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage: { inputTokens: 4, outputTokens: 6 } });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['guardrail_intervened', 'content-filter'],
    ['content_filtered', 'content-filter'],
    ['tool_use', 'other'],
  ] as const)('maps stopReason %s to %s, in complete and in stream', async (stopReason, finishReason) => {
    fake.setReply(() => ({ text: 'Sorry, I cannot help with that.', stopReason }));
    const bedrock = model();

    await expect(bedrock.complete(REQUEST)).resolves.toMatchObject({ finishReason });
    await expect(collect(bedrock.stream(REQUEST))).resolves.toContainEqual(
      expect.objectContaining({ type: 'finish', finishReason }),
    );
  });

  it('maps the stop reasons it does not name to other, and a window overflow to length', () => {
    expect(finishReasonOf('malformed_model_output')).toBe('other');
    expect(finishReasonOf(undefined)).toBe('other');
    expect(finishReasonOf('model_context_window_exceeded')).toBe('length');
  });

  it('cuts the answer at maxTokens and reports length', async () => {
    fake.setReply(() => 'one two three four five');

    await expect(model().complete({ ...REQUEST, maxTokens: 2 })).resolves.toMatchObject({
      text: 'one two ',
      finishReason: 'length',
    });
  });

  it('records token usage as LlmInputTokens and LlmOutputTokens with the model as dimension', async () => {
    const telemetry = recordingTelemetry();
    fake.setReply(() => ({ text: 'Paris.', usage: { inputTokens: 42, outputTokens: 3 } }));
    const bedrock = model({ modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0', telemetry });

    const completion = await bedrock.complete(REQUEST);
    await collect(bedrock.stream(REQUEST));

    expect(completion.usage).toEqual({ inputTokens: 42, outputTokens: 3 });
    const dimensions = { model: 'anthropic.claude-3-5-haiku-20241022-v1:0' };
    const once = [
      { name: 'LlmInputTokens', value: 42, unit: 'Count', dimensions },
      { name: 'LlmOutputTokens', value: 3, unit: 'Count', dimensions },
    ];
    expect(telemetry.metrics).toEqual([...once, ...once]);
  });

  it.each([
    'ThrottlingException',
    'ServiceUnavailableException',
    'ModelNotReadyException',
    'InternalServerException',
    'ModelTimeoutException',
    'ModelErrorException',
    'ServiceQuotaExceededException',
  ])('maps %s to a retryable LanguageModelUnavailableError that keeps the cause', async (type) => {
    fake.setError(type, 'Too many requests, please wait before trying again.');
    const bedrock = model();

    const completing = await rejection(bedrock.complete(REQUEST));
    const streaming = await rejection(collect(bedrock.stream(REQUEST)));

    for (const error of [completing, streaming]) {
      expect(error).toBeInstanceOf(LanguageModelUnavailableError);
      expect(error).toMatchObject({ code: 'LLM_UNAVAILABLE', retryable: true });
      expect(error.message).toMatch(new RegExp(`^bedrock: ${type}`));
      expect((error.cause as Error).name).toBe(type);
    }
  });

  it.each(['ValidationException', 'AccessDeniedException', 'ResourceNotFoundException'])(
    'maps %s to a non-retryable INTERNAL error whose message names no account or role',
    async (type) => {
      const secretish =
        'User: arn:aws:sts::123456789012:assumed-role/assistant-prod/session is not authorized on account 123456789012';
      fake.setError(type, secretish);

      const error = await rejection(model().complete(REQUEST));

      expect(error).toMatchObject({ code: 'INTERNAL', retryable: false, details: { errorType: type } });
      expect(error).not.toBeInstanceOf(LanguageModelUnavailableError);
      expect(error.message).toMatch(new RegExp(`^bedrock: ${type} for ${DEFAULT_BEDROCK_MODEL_ID}`));
      expect(error.message).not.toContain('123456789012');
      expect(error.message).not.toContain('assistant-prod');
      expect((error.cause as Error).message).toBe(secretish);
    },
  );

  it('keeps a validation message that helps, such as the need for an inference profile', async () => {
    fake.setError(
      'ValidationException',
      "Invocation of model ID anthropic.claude-3-5-haiku-20241022-v1:0 with on-demand throughput isn't supported.",
    );

    const error = await rejection(model().complete(REQUEST));

    expect(error.message).toContain("with on-demand throughput isn't supported");
  });

  it('turns a modelStreamErrorException event mid-stream into LanguageModelUnavailableError after the text so far', async () => {
    fake.setReply(() => ({
      text: 'one two three four',
      streamException: { afterDeltas: 2, type: 'modelStreamErrorException', message: 'model crashed' },
    }));
    const seen: string[] = [];

    const reading = (async () => {
      for await (const chunk of model().stream(REQUEST)) if (chunk.type === 'text') seen.push(chunk.text);
    })();
    const error = await rejection(reading);

    expect(seen).toEqual(['one ', 'two ']);
    expect(error).toBeInstanceOf(LanguageModelUnavailableError);
    expect(error.message).toBe(`bedrock: ModelStreamErrorException from ${DEFAULT_BEDROCK_MODEL_ID}`);
    expect(error.cause).toMatchObject({ name: 'ModelStreamErrorException', message: 'model crashed' });
  });

  it('treats a validationException event mid-stream as a non-retryable INTERNAL error', async () => {
    fake.setReply(() => ({
      text: 'one two',
      streamException: { afterDeltas: 1, type: 'validationException', message: 'bad input' },
    }));

    const error = await rejection(collect(model().stream(REQUEST)));

    expect(error).toMatchObject({ code: 'INTERNAL', retryable: false });
  });

  it('rejects an already aborted request without calling Bedrock', async () => {
    const signal = AbortSignal.abort(new Error('caller gave up'));
    const bedrock = model();

    await expect(bedrock.complete({ ...REQUEST, signal })).rejects.toBeInstanceOf(AbortedError);
    await expect(collect(bedrock.stream({ ...REQUEST, signal }))).rejects.toBeInstanceOf(AbortedError);
    expect(fake.calls).toHaveLength(0);
  });

  it('turns a caller abort while Bedrock is still thinking into AbortedError', async () => {
    fake.setSilent(true);
    const controller = new AbortController();
    const bedrock = model({ timeoutMs: 30_000 });

    const pending = bedrock.complete({ ...REQUEST, signal: controller.signal });
    await expect.poll(() => fake.calls.length).toBe(1);
    controller.abort(new Error('user hung up'));

    const error = await rejection(pending);
    expect(error).toBeInstanceOf(AbortedError);
    expect(error.message).toBe('bedrock: request aborted by caller');
  });

  it('stops the stream with AbortedError when the caller aborts between chunks', async () => {
    fake.setReply(() => 'a b c d e f');
    const controller = new AbortController();
    const seen: string[] = [];

    const reading = (async () => {
      for await (const chunk of model().stream({ ...REQUEST, signal: controller.signal })) {
        if (chunk.type === 'text') seen.push(chunk.text);
        controller.abort();
      }
    })();

    await expect(reading).rejects.toBeInstanceOf(AbortedError);
    expect(seen).toEqual(['a ']);
  });

  it('closes the stream when the consumer stops reading early', async () => {
    fake.setReply(() => ({ text: 'one two three', stallAfterDeltas: 2 }));

    for await (const chunk of model({ timeoutMs: 30_000 }).stream(REQUEST)) if (chunk.type === 'text') break;

    await expect.poll(() => fake.openResponses()).toBe(0);
  });

  it('gives up after timeoutMs when Bedrock never answers, as a retryable unavailable model', async () => {
    fake.setSilent(true);

    const error = await rejection(model({ timeoutMs: 100 }).complete(REQUEST));

    expect(error).toBeInstanceOf(LanguageModelUnavailableError);
    expect(error.message).toBe(`bedrock: no answer from ${DEFAULT_BEDROCK_MODEL_ID} within 100 ms`);
  });

  it('gives up after timeoutMs when the stream falls silent midway', async () => {
    fake.setReply(() => ({ text: 'one two three', stallAfterDeltas: 1 }));
    const seen: string[] = [];

    const reading = (async () => {
      for await (const chunk of model({ timeoutMs: 150 }).stream(REQUEST))
        if (chunk.type === 'text') seen.push(chunk.text);
    })();
    const error = await rejection(reading);

    expect(seen).toEqual(['one ']);
    expect(error).toBeInstanceOf(LanguageModelUnavailableError);
    expect(error.message).toContain('within 150 ms');
  });

  it('maps a refused connection to a retryable LanguageModelUnavailableError with the cause', async () => {
    const closed = await startBedrockRuntimeFake();
    const url = closed.url;
    await closed.close();
    const offline = new BedrockRuntimeClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: url });

    const error = await rejection(new BedrockLanguageModel({ client: offline, timeoutMs: 5_000 }).complete(REQUEST));
    offline.destroy();

    expect(error).toBeInstanceOf(LanguageModelUnavailableError);
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/^bedrock: request to .* failed \(ECONNREFUSED\)$/);
    expect(error.cause).toBeInstanceOf(Error);
  });
});
