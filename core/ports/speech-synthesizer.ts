import type { IoOptions } from '../model/io.js';
import type { Audio, AudioFormat } from '../model/audio.js';

export interface SynthesizeRequest extends IoOptions {
  text: string;
  voice?: string;
  language: string;
  format?: AudioFormat;
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
