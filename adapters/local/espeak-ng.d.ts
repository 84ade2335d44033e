// The slice of @echogarden/espeak-ng-emscripten 0.3.5 that EspeakSpeechSynthesizer uses; the package ships no types.
declare module '@echogarden/espeak-ng-emscripten' {
  export interface EspeakWorker {
    /** Selects a voice by file name ('en-us', 'en', 'fr'); returns 0 on success, non-zero when there is no such voice. */
    set_voice(name: string): number;
    /** Words per minute. */
    set_rate(wordsPerMinute: number): void;
    get_samplerate(): number;
    /** Calls back with chunks of signed 16-bit mono samples; returning true from the callback stops synthesis. */
    synthesize(text: string, onChunk: (samples: Int16Array, events: unknown[]) => boolean): void;
  }

  export interface EspeakModule {
    eSpeakNGWorker: new () => EspeakWorker;
  }

  /** Instantiates the WebAssembly module (and its bundled voice data). */
  export default function EspeakInit(overrides?: Record<string, unknown>): Promise<EspeakModule>;
}
