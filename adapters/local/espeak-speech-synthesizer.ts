// eSpeak NG is GPL-3.0: it stays an optional dependency, loaded lazily behind the SpeechSynthesizer port, so the
// project runs (and ships) without it and nothing but this file knows it exists.
import type { EspeakModule, EspeakWorker } from '@echogarden/espeak-ng-emscripten';
import { AbortedError, SpeechUnavailableError, throwIfAborted, ValidationError } from '../../core/errors.js';
import type { Audio } from '../../core/model/audio.js';
import type {
  SpeechSynthesizer,
  SpeechSynthesizerCapabilities,
  SynthesizeRequest,
} from '../../core/ports/speech-synthesizer.js';
import { encodeWav } from '../shared/wav.js';

const PACKAGE = '@echogarden/espeak-ng-emscripten';

/** Voices checked against the bundled voice data; the values are eSpeak's own voice names where they differ. */
const VOICES: Readonly<Record<string, string>> = {
  'en-us': 'en-us',
  'en-gb': 'en',
  'en-gb-x-rp': 'en-gb-x-rp',
  'en-gb-scotland': 'en-gb-scotland',
  'en-us-nyc': 'en-us-nyc',
  'en-029': 'en-029',
  fr: 'fr',
  de: 'de',
  es: 'es',
  it: 'it',
  'pt-br': 'pt-br',
};

export interface EspeakSpeechSynthesizerOptions {
  /** One of `capabilities.voices`; default 'en-us'. */
  defaultVoice?: string;
  /** Speaking rate in words per minute, 80..450 (eSpeak's default is 175). */
  rate?: number;
  /** Loads and instantiates the eSpeak module; replaceable so tests can stand in for a missing package. */
  load?: () => Promise<EspeakModule>;
}

interface Engine {
  worker: EspeakWorker;
  sampleRate: number;
  voice?: string;
}

/** Offline text-to-speech with eSpeak NG compiled to WebAssembly: 16-bit mono WAV or raw PCM at 22,050 Hz. */
export class EspeakSpeechSynthesizer implements SpeechSynthesizer {
  readonly capabilities: SpeechSynthesizerCapabilities;
  private readonly rate: number;
  private readonly load: () => Promise<EspeakModule>;
  private engine: Promise<Engine> | undefined;
  /** The worker is not re-entrant, so each synthesis waits for the previous one. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: EspeakSpeechSynthesizerOptions = {}) {
    const defaultVoice = options.defaultVoice ?? 'en-us';
    if (!Object.hasOwn(VOICES, defaultVoice))
      throw new ValidationError(
        `espeak: unknown default voice "${defaultVoice}"; use one of ${Object.keys(VOICES).join(', ')}`,
      );
    this.rate = options.rate ?? 175;
    if (!(this.rate >= 80 && this.rate <= 450))
      throw new ValidationError(`espeak: rate must be 80..450 words per minute, not ${options.rate}`);
    this.load = options.load ?? importEspeak;
    this.capabilities = { formats: ['wav', 'pcm'], voices: Object.keys(VOICES), defaultVoice };
  }

  async synthesize(request: SynthesizeRequest): Promise<Audio> {
    throwIfAborted(request.signal);
    if (request.text.trim().length === 0) throw new ValidationError('espeak: there is no text to speak');
    const format = request.format ?? 'wav';
    if (format !== 'wav' && format !== 'pcm')
      throw new ValidationError(`espeak: format "${format}" is not supported; use wav or pcm`);
    const voice = request.voice ?? this.voiceFor(request.language);
    if (!Object.hasOwn(VOICES, voice)) throw new ValidationError(`espeak: unknown voice "${voice}"`);
    const engine = await this.init();
    const samples = await this.exclusive(() => speak(engine, VOICES[voice] as string, request.text, request.signal));
    const data = format === 'wav' ? encodeWav(samples, engine.sampleRate) : pcmBytes(samples);
    return { data, format, sampleRate: engine.sampleRate };
  }

  /** The first call starts the module; concurrent first calls share that start, and a failed start is retried later. */
  private init(): Promise<Engine> {
    this.engine ??= this.load().then(
      (module) => {
        const worker = new module.eSpeakNGWorker();
        worker.set_rate(this.rate);
        return { worker, sampleRate: worker.get_samplerate() };
      },
      (error: unknown) => {
        this.engine = undefined;
        throw new SpeechUnavailableError(
          `espeak: could not load ${PACKAGE}, an optional dependency (GPL-3.0); install it or configure another speech synthesizer`,
          { cause: error, retryable: false },
        );
      },
    );
    return this.engine;
  }

  private exclusive<T>(task: () => T): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The voice for a language tag when the request names none: an exact voice, else the default if it speaks it, else any. */
  private voiceFor(language: string): string {
    const tag = language.toLowerCase().replace('_', '-');
    const primary = tag.split('-')[0] ?? '';
    if (Object.hasOwn(VOICES, tag)) return tag;
    const voices = this.capabilities.voices;
    if (this.capabilities.defaultVoice.split('-')[0] === primary) return this.capabilities.defaultVoice;
    return voices.find((v) => v.split('-')[0] === primary) ?? this.capabilities.defaultVoice;
  }
}

function speak(engine: Engine, voice: string, text: string, signal: AbortSignal | undefined): Int16Array {
  throwIfAborted(signal);
  if (engine.voice !== voice) {
    if (engine.worker.set_voice(voice) !== 0)
      throw new SpeechUnavailableError(`espeak: the voice data for "${voice}" is missing`, { retryable: false });
    engine.voice = voice;
  }
  const chunks: Int16Array[] = [];
  engine.worker.synthesize(text, (chunk) => {
    chunks.push(chunk);
    return signal?.aborted === true;
  });
  if (signal?.aborted) throw new AbortedError('speech synthesis aborted by caller', { cause: signal.reason });
  const samples = new Int16Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    samples.set(chunk, offset);
    offset += chunk.length;
  }
  return samples;
}

/** Little-endian bytes whatever the host's byte order, as the `pcm` format promises. */
function pcmBytes(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; i += 1) view.setInt16(i * 2, samples[i] as number, true);
  return bytes;
}

async function importEspeak(): Promise<EspeakModule> {
  // A specifier in a variable keeps bundlers from pulling the GPL module into the bundle.
  const { default: init } = (await import(PACKAGE)) as typeof import('@echogarden/espeak-ng-emscripten');
  return init();
}
