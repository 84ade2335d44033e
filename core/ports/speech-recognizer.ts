import type { IoOptions } from '../model/io.js';
import type { Audio, AudioFormat } from '../model/audio.js';

export interface TranscribeRequest extends IoOptions {
  audio: Audio;
  language: string;
  /** Phrases the recognizer should favour (built from the skills' utterances). */
  hints?: readonly string[];
}

export interface Transcript {
  text: string;
  confidence?: number;
}

export interface SpeechRecognizerCapabilities {
  formats: readonly AudioFormat[];
  /** True when `openStream` is implemented: speech can be recognised while it is still arriving. */
  streaming: boolean;
}

export interface OpenSpeechStreamRequest extends IoOptions {
  language: string;
  /** Rate of the 16-bit mono samples that will be written. */
  sampleRate: number;
  hints?: readonly string[];
}

/**
 * One utterance recognised as it arrives: samples are written as they come (recognition runs meanwhile) and `finish`
 * resolves with the transcript once the rest is decoded. `cancel` (or the request's signal) stops it and frees what it
 * holds; `finish` then rejects with AbortedError.
 */
export interface SpeechStream {
  write(samples: Int16Array): void;
  finish(): Promise<Transcript>;
  cancel(): void;
}

export interface SpeechRecognizer {
  readonly capabilities: SpeechRecognizerCapabilities;
  transcribe(request: TranscribeRequest): Promise<Transcript>;
  /** Present when `capabilities.streaming` is true. */
  openStream?(request: OpenSpeechStreamRequest): SpeechStream;
}
