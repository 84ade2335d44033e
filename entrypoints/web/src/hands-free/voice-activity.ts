import type { GateFrame } from './speech-gate';

/**
 * Classifies microphone frames with the WebRTC VAD in a worker (loaded on first use, so the first screen does not
 * carry it) and hands each frame back in order with its decision. If the worker or its WebAssembly cannot load, the
 * frames go on without a decision and the gate uses the level alone.
 */
export class VoiceActivity {
  private readonly worker: Worker | undefined;
  private readonly pending = new Map<number, { pcm: ArrayBuffer; level: number }>();
  private next = 0;
  private failed = false;
  private closed = false;
  /** Which detector is deciding: the WebRTC VAD, or the level alone. */
  kind: 'loading' | 'webrtc' | 'energy' = 'loading';

  constructor(
    private readonly onFrame: (frame: GateFrame) => void,
    private readonly onKind: (kind: 'webrtc' | 'energy') => void = () => undefined,
  ) {
    try {
      this.worker = new Worker(new URL('./vad-worker.ts', import.meta.url), { type: 'module' });
      this.worker.onmessage = (event: MessageEvent<{ id?: number; voiced?: boolean; ready?: true; error?: string }>) =>
        this.answer(event.data);
      this.worker.onerror = () => this.fail();
    } catch {
      this.fail();
    }
  }

  push(pcm: ArrayBuffer, level: number): void {
    if (this.closed) return;
    if (this.failed || !this.worker) {
      this.onFrame({ pcm, level });
      return;
    }
    const id = this.next++;
    this.pending.set(id, { pcm, level });
    // A copy goes to the worker; the original stays here for the socket.
    this.worker.postMessage({ id, pcm: pcm.slice(0) });
  }

  close(): void {
    this.closed = true;
    this.worker?.terminate();
    this.pending.clear();
  }

  private answer(data: { id?: number; voiced?: boolean; ready?: true; error?: string }): void {
    if (data.error !== undefined) return this.fail();
    if (data.ready) {
      this.kind = 'webrtc';
      this.onKind(this.kind);
      return;
    }
    if (data.id === undefined) return;
    const frame = this.pending.get(data.id);
    if (!frame) return;
    this.pending.delete(data.id);
    this.onFrame({ ...frame, voiced: data.voiced });
  }

  private fail(): void {
    if (this.failed || this.closed) return;
    this.failed = true;
    this.kind = 'energy';
    this.onKind(this.kind);
    this.worker?.terminate();
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const frame of waiting) this.onFrame(frame);
  }
}
