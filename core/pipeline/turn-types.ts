import type { Audio, AudioFormat } from '../ports/audio.js';
import type { Decision } from '../dialogue/dialogue-policy.js';

export type TurnInput = { kind: 'text'; text: string } | { kind: 'audio'; audio: Audio };

export interface TurnRequest {
  userId: string;
  conversationId: string;
  input: TurnInput;
  /** Synthesize the reply as speech in this format. */
  speech?: { format?: AudioFormat; voice?: string };
  signal?: AbortSignal;
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
}
