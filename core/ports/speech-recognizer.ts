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
  streaming: boolean;
}

export interface SpeechRecognizer {
  readonly capabilities: SpeechRecognizerCapabilities;
  transcribe(request: TranscribeRequest): Promise<Transcript>;
}
