import { AbortedError, LanguageModelUnavailableError } from '../../core/errors.js';
import type { Completion, CompletionChunk } from '../../core/model/completion.js';
import type { CompletionRequest, LanguageModel } from '../../core/ports/language-model.js';

/** Answers with the given replies in order (or a function of the request) and records each request. */
export class ScriptedLanguageModel implements LanguageModel {
  readonly capabilities = { streaming: true, answersOpenQuestions: true };
  readonly requests: CompletionRequest[] = [];
  down = false;
  /** Milliseconds between streamed words (0: a macrotask each). */
  streamDelayMs = 0;
  /** How many streams stopped because their signal was aborted. */
  abortedStreams = 0;

  constructor(private readonly reply: string | ((request: CompletionRequest) => string) = 'A scripted answer.') {}

  async complete(request: CompletionRequest): Promise<Completion> {
    this.requests.push(request);
    if (this.down) throw new LanguageModelUnavailableError('scripted model is down');
    const text = typeof this.reply === 'function' ? this.reply(request) : this.reply;
    return { text, model: 'scripted', finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 } };
  }

  async *stream(request: CompletionRequest): AsyncIterable<CompletionChunk> {
    const completion = await this.complete(request);
    for (const word of completion.text.split(/(?<= )/)) {
      await new Promise((resolve) => setTimeout(resolve, this.streamDelayMs));
      if (request.signal?.aborted) {
        this.abortedStreams += 1;
        throw new AbortedError('scripted model: aborted', { cause: request.signal.reason });
      }
      yield { type: 'text', text: word };
    }
    yield { type: 'finish', finishReason: 'stop' };
  }
}
