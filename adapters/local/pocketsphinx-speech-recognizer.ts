// Offline speech recognition with CMU PocketSphinx (Debian's libpocketsphinx.so.3 through koffi). A JSGF grammar of the
// registered skills' utterances is tried first (fast, and near-perfect on commands); when its best path scores poorly
// per frame, the speech is taken to be outside the grammar and decoded again with the general English language model,
// so free-form questions still reach the language model as words.
//
// Streaming (`openStream`, used by the voice socket): the grammar and the language model each get a decoder of their
// own from a small pool and are fed the speech while it arrives (koffi async calls, one at a time per decoder, the
// samples that came meanwhile batched into the next call). At the end only the tail and the final pass remain; the
// grammar's score picks the answer as above, and the language model's decoder, when not needed, is ended and returned.
import { ValidationError } from '../../core/errors.js';
import type { Audio } from '../../core/model/audio.js';
import type { TrainingSet } from '../../core/model/understanding.js';
import type {
  SpeechRecognizer,
  SpeechRecognizerCapabilities,
  TranscribeRequest,
  Transcript,
} from '../../core/ports/speech-recognizer.js';
import { abortedBy, rejectIfAborted } from '../shared/abort.js';
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
import { Lane } from './pocketsphinx-stream-lane.js';
import type { OpenSpeechStreamRequest, SpeechStream } from '../../core/ports/speech-recognizer.js';

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

/**
 * Streaming decoders skip the language model's second (flat-lexicon) pass, which PocketSphinx runs over the whole
 * utterance at `ps_end_utt` and would put most of the decoding back after the end of speech. Measured on 10 flite
 * question clips (5 questions × slt, rms) fed in 200 ms pieces: the same words on all 10, end of utterance 8–33 ms
 * instead of 96–277 ms.
 */
const STREAM_DECODER_ARGS = ['-fwdflat', 'no'] as const;

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
  /**
   * Load one stream's two decoders at creation. Off by default: each decoder costs ~95 MB of RSS (measured), and a
   * server that never takes voice should not pay it; the first stream then loads them, blocking ~0.4–0.9 s once.
   */
  warmStreams?: boolean;
  /** Idle streaming decoders kept for reuse (two per stream: grammar and language model); default 2. When none is idle
   * a stream makes its own, which blocks the event loop about as long as loading the recognizer (~0.5–1 s). */
  keepStreamDecoders?: number;
}

/** How one utterance was recognised, for the benchmark and tests. */
export interface Recognition extends Transcript {
  search: 'grammar' | 'language-model';
  grammar: Hypothesis;
  seconds: number;
}

export class PocketSphinxSpeechRecognizer implements SpeechRecognizer {
  readonly capabilities: SpeechRecognizerCapabilities = { formats: ['wav', 'pcm'], streaming: true };
  private readonly options: PocketSphinxSpeechRecognizerOptions;
  private readonly threshold: number;
  private readonly maxSeconds: number;
  /** The decoder of whole utterances (HTTP audio turns), loaded off the event loop on first use. */
  private decoder: Promise<PocketSphinxDecoder> | undefined;
  private builtGrammar: JsgfGrammar | undefined;
  /** The decoder is not re-entrant: utterances are decoded one after the other. */
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  /** Idle decoders for streams, each with the grammar search added. */
  private readonly idleStreamDecoders: PocketSphinxDecoder[] = [];
  /** Streams still running or finishing: dispose waits for them. */
  private readonly openStreams = new Set<Promise<unknown>>();

  constructor(options: PocketSphinxSpeechRecognizerOptions) {
    this.options = options;
    this.threshold = options.fallbackScorePerFrame ?? DEFAULT_FALLBACK_SCORE_PER_FRAME;
    this.maxSeconds = options.maxSeconds ?? 30;
  }

  /**
   * Creates the recognizer. Its decoders (about 100 MB each) load on first use: the whole-utterance decoder off the
   * event loop when the first audio turn comes (`prepare()` loads it ahead), a stream's decoders when the first
   * stream opens (`warmStreams` ahead), so an assistant only spoken to over one path, or only typed to, holds none
   * it does not use.
   */
  static create(options: PocketSphinxSpeechRecognizerOptions): PocketSphinxSpeechRecognizer {
    const recognizer = new PocketSphinxSpeechRecognizer(options);
    if (options.warmStreams) recognizer.warmStreams();
    return recognizer;
  }

  /** Loads the whole-utterance decoder now (off the event loop), so the first audio turn does not wait for it. */
  async prepare(): Promise<void> {
    await this.load();
  }

  /** The grammar in use (once a decoder loaded). */
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

  /**
   * Starts recognising an utterance whose samples will be written as they arrive (see the header). Two decoders are
   * taken from the pool (made when it is empty: about as long as loading the recognizer) and returned when the stream
   * finishes or is cancelled.
   */
  openStream(request: OpenSpeechStreamRequest): SpeechStream {
    rejectIfAborted(ADAPTER, request.signal);
    if (!Number.isInteger(request.sampleRate) || request.sampleRate < 8000 || request.sampleRate > 48_000) {
      throw new ValidationError(`${ADAPTER}: a stream's sample rate must be 8000 to 48000 Hz`);
    }
    const grammar = new Lane(this.takeStreamDecoder(), GRAMMAR_SEARCH, (d) => this.returnStreamDecoder(d));
    const free = new Lane(this.takeStreamDecoder(), DEFAULT_SEARCH, (d) => this.returnStreamDecoder(d));
    const maxSamples = this.maxSeconds * RECOGNIZER_RATE;
    const { signal } = request;
    let written = 0;
    let state: 'open' | 'finishing' | 'done' = 'open';
    let tooLong = false;
    let cancelled = false;
    const cancel = () => {
      if (state === 'done' || cancelled) return;
      cancelled = true;
      this.track(Promise.all([grammar.abandon(), free.abandon()]));
      signal?.removeEventListener('abort', cancel);
    };
    signal?.addEventListener('abort', cancel, { once: true });
    const finish = async (): Promise<Recognition> => {
      if (state !== 'open' || cancelled) throw abortedBy(ADAPTER, signal);
      state = 'finishing';
      signal?.removeEventListener('abort', cancel);
      const seconds = written / RECOGNIZER_RATE;
      if (tooLong || written === 0) {
        await Promise.all([grammar.abandon(), free.abandon()]);
        state = 'done';
        throw new ValidationError(
          written === 0
            ? `${ADAPTER}: the audio has no samples`
            : `${ADAPTER}: the audio lasts more than ${this.maxSeconds} s; the limit is ${this.maxSeconds} s`,
        );
      }
      try {
        const heard = await grammar.finish();
        if (cancelled) throw abortedBy(ADAPTER, signal);
        const perFrame = heard.frames > 0 ? heard.score / heard.frames : -Infinity;
        if (heard.text.length > 0 && perFrame >= this.threshold) {
          void free.abandon();
          return { text: heard.text, search: 'grammar', grammar: heard, seconds, confidence: confidenceOf(perFrame) };
        }
        if (cancelled || signal?.aborted) throw abortedBy(ADAPTER, signal);
        const said = await free.finish();
        if (cancelled) throw abortedBy(ADAPTER, signal);
        return { text: said.text, search: 'language-model', grammar: heard, seconds };
      } catch (error) {
        void grammar.abandon();
        void free.abandon();
        throw cancelled ? abortedBy(ADAPTER, signal) : error;
      } finally {
        state = 'done';
      }
    };
    return {
      write: (samples) => {
        if (state !== 'open' || cancelled || tooLong || samples.length === 0) return;
        const pcm =
          request.sampleRate === RECOGNIZER_RATE ? samples : resample(samples, request.sampleRate, RECOGNIZER_RATE);
        if (written + pcm.length > maxSamples) {
          tooLong = true;
          return;
        }
        written += pcm.length;
        grammar.write(pcm);
        free.write(pcm);
      },
      finish: () => {
        const run = finish();
        this.track(run);
        return run.then(({ text, confidence }) => ({ text, ...(confidence !== undefined && { confidence }) }));
      },
      cancel,
    };
  }

  /** Frees the decoders once the utterances already queued and the streams still open are done. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await this.queue;
    await Promise.allSettled([...this.openStreams]);
    const decoder = this.decoder;
    this.decoder = undefined;
    (await decoder?.catch(() => undefined))?.dispose();
    for (const decoder of this.idleStreamDecoders.splice(0)) decoder.dispose();
  }

  /** Makes the decoders of one stream now, so the first voice turn does not pay for them. */
  warmStreams(): void {
    while (this.idleStreamDecoders.length < 2) this.idleStreamDecoders.push(this.newDecoder(STREAM_DECODER_ARGS));
  }

  private takeStreamDecoder(): PocketSphinxDecoder {
    if (this.disposed) throw new Error(`${ADAPTER}: the recognizer was disposed`);
    return this.idleStreamDecoders.pop() ?? this.newDecoder(STREAM_DECODER_ARGS);
  }

  private returnStreamDecoder(decoder: PocketSphinxDecoder | undefined): void {
    if (!decoder) return;
    if (this.disposed || this.idleStreamDecoders.length >= (this.options.keepStreamDecoders ?? 2)) decoder.dispose();
    else this.idleStreamDecoders.push(decoder);
  }

  private track(work: Promise<unknown>): void {
    const quiet = work.catch(() => undefined);
    this.openStreams.add(quiet);
    void quiet.then(() => this.openStreams.delete(quiet));
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

  private load(): Promise<PocketSphinxDecoder> {
    if (this.disposed) return Promise.reject(new Error(`${ADAPTER}: the recognizer was disposed`));
    if (this.decoder) return this.decoder;
    const loading = PocketSphinxDecoder.open(this.options.model ?? debianModel(), this.decoderArgs()).then((decoder) =>
      this.withGrammar(decoder),
    );
    // A failed load is not kept: the next turn tries again.
    this.decoder = loading;
    loading.catch(() => {
      if (this.decoder === loading) this.decoder = undefined;
    });
    return loading;
  }

  /** A decoder with the language model as its default search and the skills' grammar beside it. */
  private newDecoder(extraArgs: readonly string[] = []): PocketSphinxDecoder {
    return this.withGrammar(PocketSphinxDecoder.load(this.options.model ?? debianModel(), this.decoderArgs(extraArgs)));
  }

  private decoderArgs(extraArgs: readonly string[] = []): string[] {
    return ['-maxhmmpf', String(this.options.maxActiveHmms ?? DEFAULT_MAX_ACTIVE_HMMS), ...extraArgs];
  }

  /** Adds the skills' grammar search (built once, from the first decoder's dictionary); frees the decoder on failure. */
  private withGrammar(decoder: PocketSphinxDecoder): PocketSphinxDecoder {
    try {
      const grammar =
        this.builtGrammar ?? jsgfFromTrainingSet(this.options.training, { knows: (word) => decoder.knows(word) });
      if (grammar.utterances === 0)
        throw new ValidationError(`${ADAPTER}: no utterance of the skills is pronounceable`);
      decoder.addGrammar(GRAMMAR_SEARCH, grammar.text);
      this.builtGrammar = grammar;
    } catch (error) {
      decoder.dispose();
      throw error;
    }
    return decoder;
  }

  private async decode(samples: Int16Array, signal: AbortSignal | undefined): Promise<Recognition> {
    rejectIfAborted(ADAPTER, signal);
    const decoder = await this.load();
    rejectIfAborted(ADAPTER, signal);
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
