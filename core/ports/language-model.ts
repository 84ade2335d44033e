export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface CompletionRequest {
  system: string;
  messages: readonly ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface Completion {
  text: string;
  model: string;
  usage?: TokenUsage;
  finishReason: 'stop' | 'length' | 'content-filter' | 'other';
}

export type CompletionChunk =
  | { type: 'text'; text: string }
  | { type: 'finish'; finishReason: Completion['finishReason']; usage?: TokenUsage };

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
