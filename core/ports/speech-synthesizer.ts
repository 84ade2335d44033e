import type { Audio, AudioFormat } from '../model/audio.js';

export interface SynthesizeRequest {
  text: string;
  voice?: string;
  language: string;
  format?: AudioFormat;
  signal?: AbortSignal;
}

export interface SpeechSynthesizerCapabilities {
  formats: readonly AudioFormat[];
  voices: readonly string[];
  defaultVoice: string;
}

export interface SpeechSynthesizer {
  readonly capabilities: SpeechSynthesizerCapabilities;
  synthesize(request: SynthesizeRequest): Promise<Audio>;
}
