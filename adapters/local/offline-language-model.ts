import { throwIfAborted } from '../../core/errors.js';
import type { Completion, CompletionChunk } from '../../core/model/completion.js';
import type { CompletionRequest, LanguageModel } from '../../core/ports/language-model.js';

export interface OfflineLanguageModelOptions {
  /** What the assistant can do without a model, usually the skills' descriptions. */
  capabilities: readonly string[];
}

/**
 * Stands in when no language model is configured. It never guesses an answer: a wrong answer spoken with confidence is
 * worse than an honest "I can't", so it explains what is missing and what still works.
 */
export class OfflineLanguageModel implements LanguageModel {
  readonly capabilities = { streaming: true, answersOpenQuestions: false, tools: false };
  private readonly reply: string;

  constructor(options: OfflineLanguageModelOptions) {
    const skills = options.capabilities.map((c) => c.trim()).filter((c) => c.length > 0);
    this.reply = [
      "No language model is configured, so I can't answer open questions.",
      ...(skills.length > 0 ? [`I can still help with ${skills.join('; ')}.`] : []),
      'To enable open answers, set LLM_BASE_URL to the address of an OpenAI-compatible server such as Ollama or llama.cpp, and LLM_MODEL to the model to use.',
    ].join(' ');
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    throwIfAborted(request.signal);
    return { text: this.reply, model: 'offline', finishReason: 'stop' };
  }

  /** Streams the same reply a few words at a time, as a model would, so streaming callers show it arriving. */
  async *stream(request: CompletionRequest): AsyncIterable<CompletionChunk> {
    const completion = await this.complete(request);
    for (const piece of completion.text.match(/(?:\S+\s*){1,4}/g) ?? []) {
      // A macrotask between deltas, as a network read would be: writes flush and an abort can land.
      await new Promise((resolve) => setImmediate(resolve));
      throwIfAborted(request.signal);
      yield { type: 'text', text: piece };
    }
    yield { type: 'finish', finishReason: completion.finishReason };
  }
}
