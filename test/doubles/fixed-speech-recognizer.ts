import type { SpeechRecognizer, Transcript, TranscribeRequest } from '../../core/ports/speech-recognizer.js';

/** "Hears" one of `phrases`, picked by the clip's length so a given clip always gives the same text; records requests. */
export class FixedSpeechRecognizer implements SpeechRecognizer {
  readonly capabilities = { formats: ['wav'] as const, streaming: false };
  readonly requests: TranscribeRequest[] = [];

  constructor(private readonly phrases: readonly string[] = ['what time is it', 'hello', 'play some jazz', '']) {}

  async transcribe(request: TranscribeRequest): Promise<Transcript> {
    this.requests.push(request);
    const text = this.phrases[request.audio.data.byteLength % this.phrases.length] ?? '';
    return { text, confidence: 0.9 };
  }
}
