// The few functions of CMU PocketSphinx the recognizer needs, called in process through koffi. Bound against the
// library Debian and Ubuntu ship (`apt-get install pocketsphinx pocketsphinx-en-us`): libpocketsphinx.so.3 and
// libsphinxbase.so.3 of 5prealpha, whose decoder is configured with sphinxbase's cmd_ln (`ps_args`, `cmd_ln_parse_r`,
// `ps_init`). PocketSphinx 5.0 replaced that with `ps_config_t` in one libpocketsphinx.so.5; it is refused with a
// message saying so rather than called with the wrong signatures.
import { existsSync } from 'node:fs';
import koffi, { type LibraryHandle } from 'koffi';

export const LIBRARIES = { pocketsphinx: 'libpocketsphinx.so.3', sphinxbase: 'libsphinxbase.so.3' } as const;
/** Where Debian's pocketsphinx-en-us puts the US English acoustic model, dictionary and general language model. */
export const DEBIAN_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
export const INSTALL_HINT = 'sudo apt-get install pocketsphinx pocketsphinx-en-us (Debian/Ubuntu), then restart';

export interface PocketSphinxModel {
  /** Acoustic model directory (mdef, means, …). */
  hmm: string;
  /** Pronunciation dictionary. */
  dict: string;
  /** General n-gram language model, for speech outside the grammar. */
  lm: string;
}

export function debianModel(dir = DEBIAN_MODEL_DIR): PocketSphinxModel {
  return { hmm: `${dir}/en-us`, dict: `${dir}/cmudict-en-us.dict`, lm: `${dir}/en-us.lm.bin` };
}

/** Raised when the library or the model is missing or of another version; `hint` says how to install it. */
export class PocketSphinxUnavailableError extends Error {
  override readonly name = 'PocketSphinxUnavailableError';
  readonly hint = INSTALL_HINT;
}

type Pointer = unknown;

interface Functions {
  ps_args: () => Pointer;
  cmd_ln_parse_r: (inout: Pointer, defn: Pointer, argc: number, argv: string[], strict: number) => Pointer;
  cmd_ln_free_r: (config: Pointer) => number;
  ps_init: ((config: Pointer) => Pointer) & {
    async: (config: Pointer, callback: (error: unknown, result: Pointer) => void) => void;
  };
  ps_free: (decoder: Pointer) => number;
  ps_set_jsgf_string: (decoder: Pointer, name: string, jsgf: string) => number;
  ps_set_search: (decoder: Pointer, name: string) => number;
  ps_set_allphone_file: (decoder: Pointer, name: string, path: string) => number;
  ps_lookup_word: (decoder: Pointer, word: string) => Pointer;
  ckd_free: (pointer: Pointer) => void;
  ps_start_utt: (decoder: Pointer) => number;
  ps_process_raw: ((
    decoder: Pointer,
    data: Int16Array,
    samples: number,
    noSearch: number,
    fullUtt: number,
  ) => number) & {
    async: (
      decoder: Pointer,
      data: Int16Array,
      samples: number,
      noSearch: number,
      fullUtt: number,
      callback: (error: unknown, result: number) => void,
    ) => void;
  };
  ps_end_utt: ((decoder: Pointer) => number) & {
    async: (decoder: Pointer, callback: (error: unknown, result: number) => void) => void;
  };
  ps_get_hyp: (decoder: Pointer, score: [number]) => string | null;
  ps_get_prob: (decoder: Pointer) => number;
  ps_get_n_frames: (decoder: Pointer) => number;
  ps_get_logmath: (decoder: Pointer) => Pointer;
  logmath_exp: (logmath: Pointer, value: number) => number;
}

let bound: Functions | undefined;

/** Loads the two libraries once and binds the functions; throws PocketSphinxUnavailableError when it cannot. */
export function bindPocketSphinx(): Functions {
  if (bound) return bound;
  let ps: LibraryHandle;
  let base: LibraryHandle;
  try {
    base = koffi.load(LIBRARIES.sphinxbase);
    ps = koffi.load(LIBRARIES.pocketsphinx);
  } catch (error) {
    if (canLoad('libpocketsphinx.so.5')) {
      throw new PocketSphinxUnavailableError(
        'pocketsphinx: found PocketSphinx 5.0 (libpocketsphinx.so.5, ps_config_t API); this adapter binds the ' +
          '5prealpha API of libpocketsphinx.so.3 that Debian and Ubuntu ship',
        { cause: error },
      );
    }
    throw new PocketSphinxUnavailableError(
      `pocketsphinx: cannot load ${LIBRARIES.pocketsphinx} (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  try {
    const decoder = koffi.opaque('ps_decoder_t');
    const config = koffi.opaque('cmd_ln_t');
    const args = koffi.opaque('arg_t');
    const logmath = koffi.opaque('logmath_t');
    const decoderPtr = koffi.pointer(decoder);
    bound = {
      ps_args: ps.func('ps_args', koffi.pointer(args), []),
      cmd_ln_parse_r: base.func('cmd_ln_parse_r', koffi.pointer(config), [
        koffi.pointer(config),
        koffi.pointer(args),
        'int32',
        'const char **',
        'int32',
      ]),
      cmd_ln_free_r: base.func('cmd_ln_free_r', 'int32', [koffi.pointer(config)]),
      ps_init: ps.func('ps_init', decoderPtr, [koffi.pointer(config)]),
      ps_free: ps.func('ps_free', 'int', [decoderPtr]),
      ps_set_jsgf_string: ps.func('ps_set_jsgf_string', 'int', [decoderPtr, 'const char *', 'const char *']),
      ps_set_search: ps.func('ps_set_search', 'int', [decoderPtr, 'const char *']),
      ps_set_allphone_file: ps.func('ps_set_allphone_file', 'int', [decoderPtr, 'const char *', 'const char *']),
      // Returns a copy the caller frees (NULL when the word is not in the dictionary).
      ps_lookup_word: ps.func('ps_lookup_word', 'void *', [decoderPtr, 'const char *']),
      ckd_free: base.func('ckd_free', 'void', ['void *']),
      ps_start_utt: ps.func('ps_start_utt', 'int', [decoderPtr]),
      ps_process_raw: ps.func('ps_process_raw', 'int', [decoderPtr, 'const int16_t *', 'size_t', 'int', 'int']),
      ps_end_utt: ps.func('ps_end_utt', 'int', [decoderPtr]),
      ps_get_hyp: ps.func('ps_get_hyp', 'const char *', [decoderPtr, koffi.out(koffi.pointer('int32'))]),
      ps_get_prob: ps.func('ps_get_prob', 'int32', [decoderPtr]),
      ps_get_n_frames: ps.func('ps_get_n_frames', 'int', [decoderPtr]),
      ps_get_logmath: ps.func('ps_get_logmath', koffi.pointer(logmath), [decoderPtr]),
      logmath_exp: base.func('logmath_exp', 'double', [koffi.pointer(logmath), 'int']),
    };
  } catch (error) {
    throw new PocketSphinxUnavailableError(
      `pocketsphinx: ${LIBRARIES.pocketsphinx} lacks the 5prealpha functions this adapter calls ` +
        `(${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  return bound;
}

function canLoad(name: string): boolean {
  try {
    koffi.load(name).unload();
    return true;
  } catch {
    return false;
  }
}

/** Whether the library loads and the model files are where `model` says: the check the composition root makes. */
export function pocketSphinxAvailable(
  model: PocketSphinxModel = debianModel(),
): { ok: true } | { ok: false; reason: string } {
  try {
    bindPocketSphinx();
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const missing = [`${model.hmm}/mdef`, model.dict, model.lm].filter((path) => !existsSync(path));
  if (missing.length > 0) return { ok: false, reason: `pocketsphinx: model files missing: ${missing.join(', ')}` };
  return { ok: true };
}

export interface Hypothesis {
  text: string;
  /** Path score of the best hypothesis (log domain, higher is better). */
  score: number;
  /** Frames (10 ms each) the utterance lasted. */
  frames: number;
}

/**
 * One decoder: the acoustic model and dictionary loaded once, with the general language model as the default search
 * and named JSGF searches added beside it. Not re-entrant: its owner runs one utterance at a time.
 */
export class PocketSphinxDecoder {
  private handle: Pointer;
  private readonly fns: Functions;
  private current = '';

  private constructor(fns: Functions, handle: Pointer) {
    this.fns = fns;
    this.handle = handle;
    this.current = DEFAULT_SEARCH;
  }

  /** Loads the acoustic model, dictionary and language model on the calling thread (about half a second). */
  static load(model: PocketSphinxModel, extraArgs: readonly string[] = []): PocketSphinxDecoder {
    const fns = bindPocketSphinx();
    const config = configOf(fns, model, extraArgs);
    return PocketSphinxDecoder.opened(fns, model, config, fns.ps_init(config));
  }

  /** Like `load`, on koffi's worker thread, so the event loop keeps serving while the models load. */
  static async open(model: PocketSphinxModel, extraArgs: readonly string[] = []): Promise<PocketSphinxDecoder> {
    const fns = bindPocketSphinx();
    const config = configOf(fns, model, extraArgs);
    let handle: Pointer;
    try {
      handle = await new Promise<Pointer>((resolve, reject) =>
        fns.ps_init.async(config, (error, result) =>
          error
            ? reject(error instanceof Error ? error : new Error('pocketsphinx: loading failed', { cause: error }))
            : resolve(result),
        ),
      );
    } catch (error) {
      fns.cmd_ln_free_r(config);
      throw error;
    }
    return PocketSphinxDecoder.opened(fns, model, config, handle);
  }

  private static opened(fns: Functions, model: PocketSphinxModel, config: Pointer, handle: Pointer) {
    // ps_init keeps its own reference to the configuration.
    fns.cmd_ln_free_r(config);
    if (!handle) throw new PocketSphinxUnavailableError(`pocketsphinx: could not load the model from ${model.hmm}`);
    return new PocketSphinxDecoder(fns, handle);
  }

  /** Whether `word` is in the pronunciation dictionary. */
  knows(word: string): boolean {
    const phones = this.fns.ps_lookup_word(this.live(), word);
    if (!phones) return false;
    this.fns.ckd_free(phones);
    return true;
  }

  addGrammar(name: string, jsgf: string): void {
    if (this.fns.ps_set_jsgf_string(this.live(), name, jsgf) !== 0)
      throw new Error(`pocketsphinx: the grammar "${name}" was refused`);
  }

  addPhoneLoop(name: string, path: string): void {
    if (this.fns.ps_set_allphone_file(this.live(), name, path) !== 0)
      throw new Error(`pocketsphinx: the phone loop "${name}" was refused`);
  }

  /**
   * Decodes one whole utterance of 16 kHz mono samples with the named search (`DEFAULT_SEARCH` is the language model).
   * The heavy part runs on koffi's worker thread so the event loop stays free; callers must not overlap calls.
   */
  async decode(samples: Int16Array, search: string): Promise<Hypothesis> {
    const { fns } = this;
    const handle = this.live();
    if (this.current !== search) {
      if (fns.ps_set_search(handle, search) !== 0) throw new Error(`pocketsphinx: no search named "${search}"`);
      this.current = search;
    }
    if (fns.ps_start_utt(handle) < 0) throw new Error('pocketsphinx: could not start an utterance');
    const processed = await new Promise<number>((resolve, reject) => {
      fns.ps_process_raw.async(handle, samples, samples.length, 0, 1, (error, result) =>
        error
          ? reject(error instanceof Error ? error : new Error('pocketsphinx: decoding failed', { cause: error }))
          : resolve(result),
      );
    });
    if (fns.ps_end_utt(handle) < 0 || processed < 0) throw new Error('pocketsphinx: decoding failed');
    const score: [number] = [0];
    const text = fns.ps_get_hyp(handle, score) ?? '';
    return { text, score: score[0], frames: fns.ps_get_n_frames(handle) };
  }

  /**
   * Starts an utterance fed piece by piece (`feed`, then `finish`): the streaming path. The same rule holds: one call
   * at a time per decoder, and no `decode` until `finish` has settled.
   */
  begin(search: string): void {
    const { fns } = this;
    const handle = this.live();
    if (this.current !== search) {
      if (fns.ps_set_search(handle, search) !== 0) throw new Error(`pocketsphinx: no search named "${search}"`);
      this.current = search;
    }
    if (fns.ps_start_utt(handle) < 0) throw new Error('pocketsphinx: could not start an utterance');
  }

  /** Decodes more samples of the utterance begun with `begin`, on koffi's worker thread. */
  async feed(samples: Int16Array): Promise<void> {
    const { fns } = this;
    const handle = this.live();
    const processed = await new Promise<number>((resolve, reject) => {
      fns.ps_process_raw.async(handle, samples, samples.length, 0, 0, (error, result) =>
        error
          ? reject(error instanceof Error ? error : new Error('pocketsphinx: decoding failed', { cause: error }))
          : resolve(result),
      );
    });
    if (processed < 0) throw new Error('pocketsphinx: decoding failed');
  }

  /** Ends the utterance (its final pass also off the main thread) and returns the best hypothesis. */
  async finish(): Promise<Hypothesis> {
    const { fns } = this;
    const handle = this.live();
    const ended = await new Promise<number>((resolve, reject) => {
      fns.ps_end_utt.async(handle, (error, result) =>
        error
          ? reject(error instanceof Error ? error : new Error('pocketsphinx: decoding failed', { cause: error }))
          : resolve(result),
      );
    });
    if (ended < 0) throw new Error('pocketsphinx: decoding failed');
    const score: [number] = [0];
    const text = fns.ps_get_hyp(handle, score) ?? '';
    return { text, score: score[0], frames: fns.ps_get_n_frames(handle) };
  }

  /** Posterior probability (0..1) of the last hypothesis, from the lattice. */
  posterior(): number {
    const handle = this.live();
    return this.fns.logmath_exp(this.fns.ps_get_logmath(handle), this.fns.ps_get_prob(handle));
  }

  dispose(): void {
    if (!this.handle) return;
    this.fns.ps_free(this.handle);
    this.handle = null;
  }

  private live(): Pointer {
    if (!this.handle) throw new Error('pocketsphinx: the decoder was disposed');
    return this.handle;
  }
}

function configOf(fns: Functions, model: PocketSphinxModel, extraArgs: readonly string[]): Pointer {
  const argv = ['-hmm', model.hmm, '-dict', model.dict, '-lm', model.lm, '-logfn', '/dev/null', ...extraArgs];
  const config = fns.cmd_ln_parse_r(null, fns.ps_args(), argv.length, argv, 1);
  if (!config) throw new PocketSphinxUnavailableError(`pocketsphinx: invalid configuration ${argv.join(' ')}`);
  return config;
}

/** The search ps_init creates from `-lm`. */
export const DEFAULT_SEARCH = '_default';
