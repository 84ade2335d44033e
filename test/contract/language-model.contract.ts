import { describe, expect, it } from 'vitest';
import { AbortedError, LanguageModelUnavailableError } from '../../core/errors.js';
import type { CompletionChunk } from '../../core/model/completion.js';
import type { CompletionRequest, LanguageModel } from '../../core/ports/language-model.js';
import { managedFactory } from './harness.js';

export interface LanguageModelHarness {
  model: LanguageModel;
  dispose?: () => Promise<void>;
  /** Makes the model's backend fail as when it is down or overloaded; the unavailable case is skipped without it. */
  setUnavailable?: () => void;
  /** False for a real model whose two answers to one prompt may differ; default true. */
  deterministic?: boolean;
}

const REQUEST: CompletionRequest = {
  system: 'You are a terse assistant. Answer in one short sentence.',
  messages: [{ role: 'user', content: 'Say hello to the contract suite.' }],
  maxTokens: 64,
  temperature: 0,
};

const TOOL_REQUEST: CompletionRequest = {
  system: 'You are a voice assistant. Use a tool when one fits the request.',
  messages: [
    {
      role: 'user',
      content: 'Should I pack a raincoat for Lisbon? Call the tool weather_forecast with {"city":"Lisbon"}',
    },
  ],
  maxTokens: 64,
  temperature: 0,
  tools: [
    {
      name: 'weather_forecast',
      description: 'the weather forecast for a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string', description: 'city' } },
        required: ['city'],
        additionalProperties: false,
      },
    },
  ],
};

const OPEN_QUESTION: CompletionRequest = {
  system: 'You are a voice assistant.',
  messages: [{ role: 'user', content: 'What is the capital of France, and who wrote Les Misérables?' }],
  maxTokens: 64,
  temperature: 0,
};

async function collect(stream: AsyncIterable<CompletionChunk>): Promise<CompletionChunk[]> {
  const chunks: CompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** The behaviour every LanguageModel adapter owes the core. */
export function describeLanguageModelContract(name: string, make: () => Promise<LanguageModelHarness>): void {
  describe(`LanguageModel contract: ${name}`, () => {
    const setup = managedFactory(make);

    it('complete returns non-empty text, the model name and a known finish reason', async () => {
      const harness = await setup();
      const completion = await harness.model.complete(REQUEST);

      expect(completion.text.trim().length).toBeGreaterThan(0);
      expect(completion.model.length).toBeGreaterThan(0);
      expect(['stop', 'length', 'content-filter', 'other']).toContain(completion.finishReason);
      if (completion.usage) {
        expect(completion.usage.inputTokens).toBeGreaterThanOrEqual(0);
        expect(completion.usage.outputTokens).toBeGreaterThanOrEqual(0);
      }
    });

    it('stream yields text chunks, then exactly one finish chunk, last', async () => {
      const harness = await setup();
      const chunks = await collect(harness.model.stream(REQUEST));

      const finishes = chunks.filter((chunk) => chunk.type === 'finish');
      expect(finishes).toHaveLength(1);
      expect(chunks.at(-1)?.type).toBe('finish');
      const texts = chunks.slice(0, -1);
      expect(texts.length).toBeGreaterThan(0);
      expect(texts.every((chunk) => chunk.type === 'text' && chunk.text.length > 0)).toBe(true);
    });

    it('the streamed text equals what complete() answers to the same prompt', async (context) => {
      const harness = await setup();
      if (harness.deterministic === false) context.skip('the model is not deterministic');
      const completion = await harness.model.complete(REQUEST);
      const chunks = await collect(harness.model.stream(REQUEST));

      const streamed = chunks.map((chunk) => (chunk.type === 'text' ? chunk.text : '')).join('');
      expect(streamed).toBe(completion.text);
      expect(chunks.at(-1)).toMatchObject({ type: 'finish', finishReason: completion.finishReason });
    });

    it('calls an offered tool with arguments for its parameters, when the model declares tool support', async (context) => {
      const harness = await setup();
      if (!harness.model.capabilities.tools) context.skip('the model declares no tool support (capabilities.tools)');
      const completion = await harness.model.complete(TOOL_REQUEST);

      expect(completion.finishReason).toBe('tool-call');
      expect(completion.toolCall).toEqual({ name: 'weather_forecast', arguments: { city: 'Lisbon' } });
    });

    it('rejects complete with AbortedError when the signal is already aborted', async () => {
      const harness = await setup();
      const signal = AbortSignal.abort(new Error('caller gave up'));

      await expect(harness.model.complete({ ...REQUEST, signal })).rejects.toBeInstanceOf(AbortedError);
    });

    it('rejects stream with AbortedError when the signal is already aborted', async () => {
      const harness = await setup();
      const signal = AbortSignal.abort(new Error('caller gave up'));

      await expect(collect(harness.model.stream({ ...REQUEST, signal }))).rejects.toBeInstanceOf(AbortedError);
    });

    it('reports an unavailable backend as a retryable LanguageModelUnavailableError', async (context) => {
      const harness = await setup();
      if (!harness.setUnavailable) context.skip('the harness cannot make the backend unavailable');
      harness.setUnavailable?.();

      const completing = harness.model.complete(REQUEST);
      await expect(completing).rejects.toBeInstanceOf(LanguageModelUnavailableError);
      await expect(completing).rejects.toMatchObject({ code: 'LLM_UNAVAILABLE', retryable: true });
      await expect(collect(harness.model.stream(REQUEST))).rejects.toBeInstanceOf(LanguageModelUnavailableError);
    });

    it('a model that cannot answer open questions says so instead of pretending to answer', async (context) => {
      const harness = await setup();
      if (harness.model.capabilities.answersOpenQuestions) context.skip('the model answers open questions');
      const completion = await harness.model.complete(OPEN_QUESTION);

      expect(completion.text).toMatch(/no language model is configured/i);
      expect(completion.text).not.toMatch(/\bParis\b|\bHugo\b/);
    });

    it('a model that answers open questions gives an answer to one', async (context) => {
      const harness = await setup();
      if (!harness.model.capabilities.answersOpenQuestions) context.skip('the model does not answer open questions');
      const completion = await harness.model.complete(OPEN_QUESTION);

      expect(completion.text.trim().length).toBeGreaterThan(0);
      expect(completion.text).not.toMatch(/no language model is configured/i);
    });
  });
}
