import type { Audio, AudioFormat, AudioRef } from './audio.js';
import type { Conversation } from './conversation.js';
import type { Decision, Slots } from './decision.js';
import type { DialogueState } from './dialogue-state.js';
import type { Preferences } from './profile.js';
import type { Sentiment } from './sentiment.js';
import type { Understanding } from './understanding.js';

/**
 * What a caller hands the in-process runner: text, audio bytes, or speech already recognised while it arrived (the
 * voice socket's streaming recognizer): its audio is stored like any audio, its transcript is validated like any text.
 */
export type TurnInput =
  | { kind: 'text'; text: string }
  | { kind: 'audio'; audio: Audio }
  | { kind: 'voice'; audio: Audio; recognised: RecognisedSpeech };

/** A transcript recognised before the turn started, and how long recognition took after the end of speech. */
export interface RecognisedSpeech {
  text: string;
  confidence?: number;
  /** Milliseconds from the end of speech to the transcript: the turn's `transcribe` timing. */
  ms: number;
}

export interface SpeechRequest {
  format?: AudioFormat;
  voice?: string;
}

/**
 * Where a streaming caller (SSE, the voice socket) receives the turn as it happens. Functions, like the signal, so it
 * lives beside the record, never in it; a workflow runner ignores it.
 */
export interface ReplyStream {
  /** What the turn heard (the transcript of audio input), as soon as it is known. */
  heard?(text: string): void;
  /** The reply's text as it is produced: the model's deltas, or a skill's whole answer in one. */
  delta(text: string): void;
  /**
   * Interrupts the reply (barge-in, `cancel`): the model stops, the turn goes on to `delivered` and is stored with the
   * part that reached the user. Unlike `signal`, which abandons the turn and stores nothing.
   */
  interruption?: AbortSignal;
  /**
   * Resolves once the reply has reached the user (played out), with the text that did. The turn is stored after it,
   * so an interrupted reply is stored as the part that was sent, marked interrupted.
   */
  delivered?(): Promise<{ text: string; interrupted: boolean }>;
}

export interface TurnRequest {
  userId: string;
  conversationId: string;
  input: TurnInput;
  /** Synthesize the reply as speech in this format. */
  speech?: SpeechRequest;
  signal?: AbortSignal;
  /**
   * The client's key for this request: a retry with the same key (e.g. after a 503 whose write did land) returns
   * the stored reply instead of running and storing the turn twice.
   */
  idempotencyKey?: string;
  /** Stream the reply as it is produced; see ReplyStream. */
  stream?: ReplyStream;
}

export const STEP_NAMES = [
  'load',
  'transcribe',
  'sentiment',
  'understand',
  'decide',
  'respond',
  'persist',
  'synthesize',
  'publish',
] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** The reply a step produced, with the dialogue state it leaves behind. */
export interface TurnResponse {
  text: string;
  data?: Record<string, unknown>;
  endConversation: boolean;
  state: DialogueState;
  /** Set when the reply is a graceful fallback for a failed dependency. */
  degraded?: { code: string; message: string };
  /** The caller already received this text as it streamed: after a version conflict it is kept, not produced again. */
  streamed?: boolean;
  /** The user interrupted the reply; `text` is the part that reached them. */
  interrupted?: boolean;
}

/** Why a turn run as a workflow could not finish, and what the assistant said instead. */
export interface TurnFailure {
  code: string;
  message: string;
  retryable: boolean;
  /** The step that failed. */
  step: string;
  /** The reply spoken in place of an answer. */
  apology: string;
}

/**
 * One turn as plain data, handed from step to step. Each step reads what earlier steps wrote and adds its own part,
 * so the same steps run folded in one process or as separate Step Functions tasks. It round-trips through JSON:
 * no class instances, no dates, and audio only by reference.
 */
export interface TurnRecord {
  /** Names this turn across steps and runners (a Step Functions execution is named after it). */
  id: string;
  userId: string;
  conversationId: string;
  input: { kind: 'text'; text: string } | { kind: 'audio'; audio: AudioRef; recognised?: RecognisedSpeech };
  speech?: SpeechRequest;
  idempotencyKey?: string;
  /** When the turn arrived (ISO 8601): the "now" of skills and the time stamp of the stored turns. */
  receivedAt: string;
  /** 1, then one more for every re-run after another writer moved the conversation. */
  attempt: number;
  conversation?: Conversation;
  preferences?: Preferences;
  /** The stored reply to an earlier request with the same idempotency key: the turn ends here. */
  replay?: TurnReply;
  heard?: string;
  sentiment?: Sentiment;
  understanding?: Understanding;
  decision?: Decision;
  response?: TurnResponse;
  stored?: { version: number; userTurnId: string; assistantTurnId: string };
  speechOut?: { audio: AudioRef } | { error: string };
  /** Set by a workflow's failure path: the turn ended without an answer (nothing was stored). */
  failure?: TurnFailure;
  /** False when the relay could not deliver the stored events yet (they stay in the outbox and are retried). */
  published?: boolean;
  /** Milliseconds per step, summed over re-runs. */
  timings: Partial<Record<StepName, number>>;
}

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
  slots: Slots;
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
  /** True when the user interrupted the reply; `text` is the part that reached them. */
  interrupted?: boolean;
}
