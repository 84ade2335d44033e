// Offline speech recognition with CMU PocketSphinx (Debian's libpocketsphinx.so.3 through koffi). A JSGF grammar of the
// registered skills' utterances is tried first (fast, and near-perfect on commands); when its best path scores poorly
// per frame, the speech is taken to be outside the grammar and decoded again with the general English language model,
// so free-form questions still reach the language model as words.
import { ValidationError } from '../../core/errors.js';
import type { Audio } from '../../core/model/audio.js';
import type { TrainingSet } from '../../core/model/understanding.js';
import type {
  SpeechRecognizer,
  SpeechRecognizerCapabilities,
  TranscribeRequest,
  Transcript,
} from '../../core/ports/speech-recognizer.js';
import { rejectIfAborted } from '../shared/abort.js';
import { resample } from '../shared/resample.js';
import { pcmOf } from '../shared/wav.js';
import { jsgfFromTrainingSet, type JsgfGrammar } from './jsgf-grammar.js';
import {
  debianModel,
  DEFAULT_SEARCH,
  PocketSphinxDecoder,
  type Hypothesis,
  type PocketSphinxModel,
} from './pocketsphinx-binding.js';

const ADAPTER = 'pocketsphinx';
const GRAMMAR_SEARCH = 'skills';
/** The acoustic model's rate. */
export const RECOGNIZER_RATE = 16_000;

/**
 * Grammar path score per 10 ms frame below which the grammar's answer is not trusted and the language model decodes
 * instead. Measured on flite and eSpeak voices (bench/stt-accuracy.ts): commands score about -12 to -28 per frame,
 * free-form questions forced through the grammar -35 to -60.
 */
export const DEFAULT_FALLBACK_SCORE_PER_FRAME = -32;

/**
 * Most HMMs kept active per frame (PocketSphinx's `-maxhmmpf`; its own default is 30,000). Measured on the 24 clean
 * question clips of bench/stt-accuracy.ts (flite slt and rms): 3,000 decodes the language-model fallback ~20 % faster
 * (median 611 → 480 ms per clip at load 5) with the same transcripts, and leaves the grammar's words and scores
 * unchanged; 1,500 starts to lose words.
 */
export const DEFAULT_MAX_ACTIVE_HMMS = 3000;

export interface PocketSphinxSpeechRecognizerOptions {
  /** What the skills understand: the same TrainingSet the NLU is trained from; its utterances become the grammar. */
  training: TrainingSet;
  /** Acoustic model, dictionary and language model; default Debian's pocketsphinx-en-us paths. */
  model?: PocketSphinxModel;
  /** See DEFAULT_FALLBACK_SCORE_PER_FRAME; `-Infinity` never falls back, `0` always uses the language model. */
  fallbackScorePerFrame?: number;
  /** Longest clip decoded, in seconds (default 30): decoding time grows with it. */
  maxSeconds?: number;
  /** See DEFAULT_MAX_ACTIVE_HMMS; `-1` for no limit. */
  maxActiveHmms?: number;
}

/** How one utterance was recognised, for the benchmark and tests. */
export interface Recognition extends Transcript {
  search: 'grammar' | 'language-model';
  grammar: Hypothesis;
  seconds: number;
}

export class PocketSphinxSpeechRecognizer implements SpeechRecognizer {
  readonly capabilities: SpeechRecognizerCapabilities = { formats: ['wav', 'pcm'], streaming: false };
  private readonly options: PocketSphinxSpeechRecognizerOptions;
  private readonly threshold: number;
  private readonly maxSeconds: number;
  private decoder: PocketSphinxDecoder | undefined;
  private builtGrammar: JsgfGrammar | undefined;
  /** The decoder is not re-entrant: utterances are decoded one after the other. */
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(options: PocketSphinxSpeechRecognizerOptions) {
    this.options = options;
    this.threshold = options.fallbackScorePerFrame ?? DEFAULT_FALLBACK_SCORE_PER_FRAME;
    this.maxSeconds = options.maxSeconds ?? 30;
  }

  /** Creates the recognizer and loads the decoder now, so the first turn does not pay for it. */
  static create(options: PocketSphinxSpeechRecognizerOptions): PocketSphinxSpeechRecognizer {
    const recognizer = new PocketSphinxSpeechRecognizer(options);
    recognizer.load();
    return recognizer;
  }

  /** The grammar in use (after the decoder loaded). */
  get grammar(): JsgfGrammar | undefined {
    return this.builtGrammar;
  }

  async transcribe(request: TranscribeRequest): Promise<Transcript> {
    const { text, confidence } = await this.recognise(request);
    return { text, ...(confidence !== undefined && { confidence }) };
  }

  /** Like transcribe, and says which search answered. */
  async recognise(request: TranscribeRequest): Promise<Recognition> {
    rejectIfAborted(ADAPTER, request.signal);
    const samples = this.samplesOf(request.audio);
    const run = this.queue.then(() => this.decode(samples, request.signal));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Frees the decoder once the utterances already queued are done. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.queue;
    this.decoder?.dispose();
    this.decoder = undefined;
  }

  private samplesOf(audio: Audio): Int16Array {
    if (!this.capabilities.formats.includes(audio.format)) {
      throw new ValidationError(`${ADAPTER}: format "${audio.format}" is not supported; use wav or pcm`);
    }
    const pcm = pcmOf(audio, ADAPTER);
    if (pcm.data.length === 0) throw new ValidationError(`${ADAPTER}: the audio has no samples`);
    const view = new DataView(pcm.data.buffer, pcm.data.byteOffset, pcm.data.byteLength);
    let samples: Int16Array = new Int16Array(pcm.data.length / 2);
    for (let i = 0; i < samples.length; i += 1) samples[i] = view.getInt16(i * 2, true);
    if (pcm.sampleRate !== RECOGNIZER_RATE) samples = resample(samples, pcm.sampleRate, RECOGNIZER_RATE);
    const seconds = samples.length / RECOGNIZER_RATE;
    if (seconds > this.maxSeconds) {
      throw new ValidationError(
        `${ADAPTER}: the audio lasts ${seconds.toFixed(1)} s; the limit is ${this.maxSeconds} s`,
      );
    }
    return samples;
  }

  private load(): PocketSphinxDecoder {
    if (this.disposed) throw new Error(`${ADAPTER}: the recognizer was disposed`);
    if (this.decoder) return this.decoder;
    const maxActiveHmms = this.options.maxActiveHmms ?? DEFAULT_MAX_ACTIVE_HMMS;
    const decoder = new PocketSphinxDecoder(this.options.model ?? debianModel(), ['-maxhmmpf', String(maxActiveHmms)]);
    try {
      const grammar = jsgfFromTrainingSet(this.options.training, { knows: (word) => decoder.knows(word) });
      if (grammar.utterances === 0)
        throw new ValidationError(`${ADAPTER}: no utterance of the skills is pronounceable`);
      decoder.addGrammar(GRAMMAR_SEARCH, grammar.text);
      this.builtGrammar = grammar;
    } catch (error) {
      decoder.dispose();
      throw error;
    }
    this.decoder = decoder;
    return decoder;
  }

  private async decode(samples: Int16Array, signal: AbortSignal | undefined): Promise<Recognition> {
    rejectIfAborted(ADAPTER, signal);
    const decoder = this.load();
    const seconds = samples.length / RECOGNIZER_RATE;
    const grammar = await decoder.decode(samples, GRAMMAR_SEARCH);
    const perFrame = grammar.frames > 0 ? grammar.score / grammar.frames : -Infinity;
    if (grammar.text.length > 0 && perFrame >= this.threshold) {
      return { text: grammar.text, search: 'grammar', grammar, seconds, confidence: confidenceOf(perFrame) };
    }
    rejectIfAborted(ADAPTER, signal);
    const free = await decoder.decode(samples, DEFAULT_SEARCH);
    return { text: free.text, search: 'language-model', grammar, seconds };
  }
}

/** A rough 0..1 reading of the grammar's per-frame score: 1 at -10 or better, falling to 0.5 at the threshold. */
function confidenceOf(perFrame: number): number {
  return Math.max(0, Math.min(1, 1 + (perFrame + 10) / 44));
}
