export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/** A function the model may call instead of answering: a skill's intent, its slots as the parameters. */
export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema of the arguments: an object of string or number properties. */
  parameters: {
    type: 'object';
    properties: Record<string, { type: 'string' | 'number'; description?: string }>;
    required: string[];
    additionalProperties: false;
  };
}

/** The model's request to run one offered tool; `arguments` is unchecked model output. */
export interface ToolCall {
  name: string;
  arguments: unknown;
}

export interface Completion {
  text: string;
  model: string;
  usage?: TokenUsage;
  finishReason: 'stop' | 'length' | 'content-filter' | 'tool-call' | 'other';
  /** Present when the model chose to call an offered tool (finishReason 'tool-call'). */
  toolCall?: ToolCall;
}

export type CompletionChunk =
  { type: 'text'; text: string } | { type: 'finish'; finishReason: Completion['finishReason']; usage?: TokenUsage };
