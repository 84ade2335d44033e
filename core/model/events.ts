/** Domain events the core publishes; `type` doubles as the EventBridge detail type. */
interface EventBase {
  id: string;
  at: string;
  userId: string;
  conversationId: string;
}

export interface SessionStarted extends EventBase {
  type: 'SessionStarted';
}

export interface UserInteraction extends EventBase {
  type: 'UserInteraction';
  turnId: string;
  text: string;
  inputMode: 'text' | 'audio';
  intent: string;
  confidence: number;
  sentiment?: { label: string; score: number };
}

export interface AssistantReplied extends EventBase {
  type: 'AssistantReplied';
  turnId: string;
  route: 'skill' | 'ask' | 'llm';
  skill?: string;
  intent: string;
  timings: Record<string, number>;
}

export interface SystemError extends EventBase {
  type: 'SystemError';
  code: string;
  step: string;
  message: string;
}

export type DomainEvent = SessionStarted | UserInteraction | AssistantReplied | SystemError;
export type DomainEventType = DomainEvent['type'];
