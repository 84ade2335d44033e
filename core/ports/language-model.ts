import type { IoOptions } from '../model/io.js';
import type { ChatMessage, Completion, CompletionChunk } from '../model/completion.js';

export interface CompletionRequest extends IoOptions {
  system: string;
  /**
   * The conversation so far, oldest first. The core guarantees what every provider demands: it starts with a user
   * message and roles alternate (consecutive turns of one role are joined), so adapters pass it on unchanged.
   */
  messages: readonly ChatMessage[];
  maxTokens?: number;
  temperature?: number;
}

export interface LanguageModelCapabilities {
  /** True when `stream` yields text as the model produces it, not all at once. */
  streaming: boolean;
  /** False for the offline responder, which never answers open questions. */
  answersOpenQuestions: boolean;
}

export interface LanguageModel {
  readonly capabilities: LanguageModelCapabilities;
  complete(request: CompletionRequest): Promise<Completion>;
  stream(request: CompletionRequest): AsyncIterable<CompletionChunk>;
}
