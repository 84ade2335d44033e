import type { IoOptions } from '../model/io.js';
import type { ChatMessage, Completion, CompletionChunk, ToolDefinition } from '../model/completion.js';

export interface CompletionRequest extends IoOptions {
  system: string;
  /**
   * The conversation so far, oldest first. The core guarantees what every provider demands: it starts with a user
   * message and roles alternate (consecutive turns of one role are joined), so adapters pass it on unchanged.
   */
  messages: readonly ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  /** Tools the model may call instead of answering (only for models whose capabilities include `tools`). */
  tools?: readonly ToolDefinition[];
}

export interface LanguageModelCapabilities {
  /** True when `stream` yields text as the model produces it, not all at once. */
  streaming: boolean;
  /** False for the offline responder, which never answers open questions. */
  answersOpenQuestions: boolean;
  /** True when `complete` honours `tools` and may return a `toolCall`. */
  tools?: boolean;
}

export interface LanguageModel {
  readonly capabilities: LanguageModelCapabilities;
  complete(request: CompletionRequest): Promise<Completion>;
  stream(request: CompletionRequest): AsyncIterable<CompletionChunk>;
}
