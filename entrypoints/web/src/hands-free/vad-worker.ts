/// <reference lib="webworker" />
import createFvad from '@echogarden/fvad-wasm';
import wasmUrl from '@echogarden/fvad-wasm/fvad.wasm?url';

/**
 * The WebRTC voice activity detector (libfvad compiled to WebAssembly, the one the server endpoints with), off the
 * main thread. In: `{ id, pcm }` (20 ms of 16 kHz PCM16). Out: `{ id, voiced }`, in order; `{ ready: true }` once
 * loaded, or `{ error }` if the module cannot load (the client then falls back to the level alone).
 */
const scope = self as unknown as DedicatedWorkerGlobalScope;
const SAMPLES = 320;

const ready = createFvad({ locateFile: () => wasmUrl }).then((fvad) => {
  const handle = fvad._fvad_new();
  // Mode 2 ("aggressive"): fewer false alarms on noise than 0-1, fewer clipped words than 3.
  if (handle === 0 || fvad._fvad_set_mode(handle, 2) !== 0 || fvad._fvad_set_sample_rate(handle, 16_000) !== 0)
    throw new Error('libfvad refused its settings');
  const pointer = fvad._malloc(SAMPLES * 2);
  return (pcm: Int16Array) => {
    fvad.HEAP16.set(pcm.subarray(0, SAMPLES), pointer >> 1);
    return fvad._fvad_process(handle, pointer, SAMPLES) === 1;
  };
});

ready.then(
  () => scope.postMessage({ ready: true }),
  (error: unknown) => scope.postMessage({ error: error instanceof Error ? error.message : String(error) }),
);

scope.onmessage = (event: MessageEvent<{ id: number; pcm: ArrayBuffer }>) => {
  const { id, pcm } = event.data;
  void ready.then(
    (isSpeech) => scope.postMessage({ id, voiced: isSpeech(new Int16Array(pcm)) }),
    () => undefined,
  );
};
