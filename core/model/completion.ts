export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
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
  { type: 'text'; text: string } | { type: 'finish'; finishReason: Completion['finishReason']; usage?: TokenUsage };
