import type { Audio, AudioFormat } from './audio.js';
import type { Decision } from './decision.js';

export type TurnInput = { kind: 'text'; text: string } | { kind: 'audio'; audio: Audio };

export interface TurnRequest {
  userId: string;
  conversationId: string;
  input: TurnInput;
  /** Synthesize the reply as speech in this format. */
  speech?: { format?: AudioFormat; voice?: string };
  signal?: AbortSignal;
  /**
   * The client's key for this request: a retry with the same key (e.g. after a 503 whose write did land) returns
   * the stored reply instead of running and storing the turn twice.
   */
  idempotencyKey?: string;
}

export type StepName = 'load' | 'transcribe' | 'understand' | 'decide' | 'respond' | 'synthesize' | 'persist' | 'publish';

export interface TurnReply {
  conversationId: string;
  turnId: string;
  text: string;
  /** What the user said (the transcript for audio input). */
  heard: string;
  /** The intent the turn was handled as: the pending one when the user answered a follow-up question. */
  intent: string;
  confidence: number;
  route: Decision['kind'];
  skill?: string;
  slots: Record<string, string | number>;
  data?: Record<string, unknown>;
  endConversation: boolean;
  audio?: Audio;
  /** Set when speech was wanted but could not be produced; the text reply still stands. */
  speechError?: string;
  /** Milliseconds per step. */
  timings: Partial<Record<StepName | 'total', number>>;
  version: number;
  /** True when this reply was replayed from the store for a repeated idempotency key. */
  replayed?: boolean;
}
