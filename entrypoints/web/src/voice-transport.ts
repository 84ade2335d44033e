/**
 * The seam between the Talk component and how an utterance reaches the server. `websocket`: the voice.v1 socket on
 * the page's own host (the local server), audio streamed while the user speaks and the reply streamed back.
 * `http`: the utterance buffered and sent as one `POST /v1/conversations/{id}/turns` to the API base (API Gateway
 * REST on AWS has no WebSocket route). Both report the same events, so Talk has one state machine for both.
 */
export type VoiceMode = 'websocket' | 'http';

/** What the server (or the transport on its behalf) says about the current utterance and its reply, in order. */
export type VoiceEvent =
  | { type: 'speech-started' }
  | { type: 'speech-ended' }
  | { type: 'transcript'; text: string }
  | { type: 'reply-delta'; text: string }
  /** Reply audio follows as 16-bit PCM chunks at this rate. */
  | { type: 'audio-start'; sampleRate: number }
  | { type: 'audio'; data: ArrayBuffer }
  | { type: 'turn'; turn: { heard?: string; text?: string; interrupted?: boolean } }
  | { type: 'error'; problem: VoiceProblem }
  /** The utterance reached the longest the transport can send: it was ended there and the rest is not sent. */
  | { type: 'limit'; seconds: number };

export interface VoiceProblem {
  /** The problem's code (CAPABILITY_MISSING, VOICE_IDLE_TIMEOUT, AUDIO_SILENT, UNAUTHENTICATED, ...). */
  code?: string;
  /** HTTP status, when the problem came as an HTTP response. */
  status?: number;
  /** What to tell the user. */
  detail: string;
}

export interface VoiceTransportHandlers {
  event: (event: VoiceEvent) => void;
  /** The connection failed (the socket's `error`). */
  error: () => void;
  /** The server (or the network) closed it; not called after `close()`. */
  closed: () => void;
}

/** One conversation's voice channel: utterances in (16 kHz PCM16 frames), events out through its handlers. */
export interface VoiceTransport {
  /** A 20 ms frame of the utterance being spoken (after `end`, a frame begins the next utterance). */
  send(frame: ArrayBuffer): void;
  /** The utterance is over (button released, or the hands-free gate heard its end). */
  end(): void;
  /** Barge-in: the reply being produced or played is not wanted any more. */
  cancel(): void;
  close(): void;
}
