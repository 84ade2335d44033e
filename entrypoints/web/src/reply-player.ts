/**
 * Plays reply audio (16-bit PCM chunks at the announced rate) back to back with Web Audio, and stops it at once on
 * barge-in. `onIdle` fires when the last queued chunk has finished playing.
 */
export class ReplyPlayer {
  private readonly context = new AudioContext();
  private at = 0;
  private sources: AudioBufferSourceNode[] = [];
  rate = 16_000;

  constructor(private readonly onIdle: () => void) {}

  /** Called from a user gesture: a context created without one may start suspended. */
  resume(): void {
    void this.context.resume();
  }

  get playing(): boolean {
    return this.sources.length > 0;
  }

  play(bytes: ArrayBuffer): void {
    const samples = new Int16Array(bytes);
    if (samples.length === 0) return;
    const buffer = this.context.createBuffer(1, samples.length, this.rate);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < samples.length; i++) channel[i] = (samples[i] ?? 0) / 0x8000;
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.context.destination);
    this.at = Math.max(this.at, this.context.currentTime);
    source.start(this.at);
    this.at += buffer.duration;
    this.sources.push(source);
    source.onended = () => {
      const before = this.sources.length;
      this.sources = this.sources.filter((s) => s !== source);
      if (before > 0 && this.sources.length === 0) this.onIdle();
    };
  }

  stop(): void {
    const playing = this.sources;
    this.sources = [];
    this.at = 0;
    for (const source of playing) source.stop();
  }

  close(): void {
    this.stop();
    void this.context.close();
  }
}
