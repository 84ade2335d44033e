import type { Problem } from '../schemas.js';

/** The WebSocket subprotocol a client must offer (with `bearer.<token>` beside it for authentication). */
export const VOICE_PROTOCOL = 'voice.v1';
/** The audio a client streams: 16-bit little-endian mono PCM at 16 kHz, in binary messages. */
export const INPUT_SAMPLE_RATE = 16_000;
/** The VAD and the endpointer look at 20 ms frames. */
export const FRAME_MS = 20;

export interface VoiceLimits {
  /** Largest binary (audio) message; bigger ones close the socket with 1009. */
  maxFrameBytes: number;
  /** Largest text (control) message. */
  maxControlBytes: number;
  /** An utterance is cut and answered at this length. */
  maxUtteranceMs: number;
  /** The socket is closed after this long without a message from the client. */
  idleTimeoutMs: number;
  /** Silence after speech that ends an utterance. */
  hangoverMs: number;
  /**
   * How far ahead of real-time playback reply audio is sent. Sending no further ahead than the client plays is what
   * makes "the part that was sent" the part the user heard when they interrupt; Infinity sends as fast as it can.
   */
  playbackLeadMs: number;
  /** Sending waits while the socket's bufferedAmount is above this (back-pressure from a slow client). */
  maxBufferedBytes: number;
}

export const DEFAULT_VOICE_LIMITS: VoiceLimits = {
  maxFrameBytes: 32 * 1024,
  maxControlBytes: 4 * 1024,
  maxUtteranceMs: 15_000,
  idleTimeoutMs: 30_000,
  hangoverMs: 500,
  playbackLeadMs: 250,
  maxBufferedBytes: 256 * 1024,
};

/** What the client sends as text messages. */
export type ClientMessage =
  { type: 'start'; conversationId: string; voice?: string; language?: string } | { type: 'end' } | { type: 'cancel' };

/** Stage times of one voice turn, in milliseconds. */
export interface VoiceTimings {
  /** End of speech (the endpointer's decision) to the first byte of reply audio sent. */
  timeToFirstAudio?: number;
  recognition?: number;
  /** Understanding and deciding. */
  understanding?: number;
  /** End of speech to the reply's first text. */
  firstText?: number;
  /** The whole respond step (until the model finished). */
  response?: number;
  firstSentenceSynthesis?: number;
  /** The silence the endpointer waited for before deciding the utterance was over (not in the figures above). */
  hangover: number;
}

/** What the server sends as text messages; audio goes in binary messages between `audio-start` and `audio-end`. */
export type ServerMessage =
  | {
      type: 'ready';
      protocol: typeof VOICE_PROTOCOL;
      input: { encoding: 'pcm16le'; sampleRate: number; channels: 1 };
      limits: Omit<VoiceLimits, 'playbackLeadMs' | 'maxBufferedBytes'>;
    }
  | { type: 'started'; conversationId: string }
  | { type: 'speech-started' }
  | { type: 'speech-ended'; reason: 'silence' | 'max-length' | 'forced' }
  | { type: 'transcript'; text: string }
  | { type: 'reply-delta'; text: string }
  | {
      type: 'audio-start';
      sentence: number;
      text: string;
      format: { encoding: 'pcm16le'; sampleRate: number; channels: 1 };
      bytes: number;
    }
  | { type: 'audio-end'; sentence: number; interrupted?: true }
  | { type: 'interrupted'; reason: 'barge-in' | 'cancel' }
  | { type: 'turn'; turn: unknown; timings: VoiceTimings }
  | { type: 'error'; problem: Problem };

/** Reads a control message, or says what is wrong with it. */
export function parseClientMessage(text: string): ClientMessage | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'a text message must be JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'a text message must be an object';
  const message = value as Record<string, unknown>;
  switch (message['type']) {
    case 'start': {
      const { conversationId, voice, language } = message;
      if (typeof conversationId !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(conversationId)) {
        return 'start needs a conversationId';
      }
      if (voice !== undefined && (typeof voice !== 'string' || voice.length > 64))
        return 'voice must be a short string';
      if (
        language !== undefined &&
        (typeof language !== 'string' || !/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(language))
      ) {
        return 'language must be a BCP 47 tag';
      }
      return {
        type: 'start',
        conversationId,
        ...(voice !== undefined && { voice: voice }),
        ...(language !== undefined && { language: language }),
      };
    }
    case 'end':
      return { type: 'end' };
    case 'cancel':
      return { type: 'cancel' };
    default:
      return `unknown message type ${JSON.stringify(message['type'])}; expected start, end or cancel`;
  }
}
