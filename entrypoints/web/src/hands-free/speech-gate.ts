/** One 20 ms microphone frame as the gate sees it. */
export interface GateFrame {
  /** 16 kHz PCM16, forwarded to the server while the gate is open. */
  pcm: ArrayBuffer;
  /** RMS level of the frame, 0..1. */
  level: number;
  /** The WebRTC VAD's decision for the frame; undefined when no VAD is loaded (the level decides alone). */
  voiced?: boolean | undefined;
}

export interface SpeechGateOptions {
  frameMs?: number;
  /** Speech in a row that opens the gate; default 100 ms. */
  startMs?: number;
  /** Speech in a row that opens it while the assistant talks (barge-in; its own voice must not do it); default 300 ms. */
  bargeInStartMs?: number;
  /** Audio kept from before the start and sent first, so the first syllable is not cut; default 300 ms. */
  prerollMs?: number;
  /** Silence in a row after speech that closes the gate; default 700 ms. */
  hangoverMs?: number;
  /** A frame counts as speech only this many times above the noise floor (≈ +10 dB); default 3. */
  startRatio?: number;
  /** Once open, frames this many times above the floor keep it open (hysteresis); default 2. */
  continueRatio?: number;
  /** While the assistant talks the start ratio is multiplied by this (echo left by the canceller); default 2. */
  bargeInRatio?: number;
  /** Levels below this are never speech, however quiet the room (≈ -54 dBFS); default 0.002. */
  minLevel?: number;
}

export type GateEvent =
  /** Speech began: send these frames (pre-roll, then the frames that made the decision) and open a turn. */
  | { type: 'start'; frames: ArrayBuffer[] }
  /** Still speaking: send this frame. */
  | { type: 'frame'; frame: ArrayBuffer }
  /** Speech is over (hangover elapsed, its frames were sent): finish the turn. */
  | { type: 'end' };

/**
 * Hands-free voice gate: decides from 20 ms frames when the user starts and stops talking. A frame is speech when the
 * WebRTC VAD says voiced (if loaded) and its level clears the tracked noise floor by `startRatio` (then
 * `continueRatio` once open: hysteresis keeps soft word endings in). The floor follows the quietest recent frames:
 * it falls at once to a quieter frame and rises slowly (1 % a frame, 0.2 % during speech), so a steady fan or hum
 * is learned and a voice is not. The gate opens after `startMs` of speech in a row (longer while the assistant speaks) and closes
 * after `hangoverMs` of non-speech; it keeps `prerollMs` of audio from before the start.
 */
export class SpeechGate {
  private readonly startFrames: number;
  private readonly bargeInFrames: number;
  private readonly prerollFrames: number;
  private readonly hangoverFrames: number;
  private readonly startRatio: number;
  private readonly continueRatio: number;
  private readonly bargeInRatio: number;
  private readonly minLevel: number;
  private recent: ArrayBuffer[] = [];
  private run = 0;
  private silent = 0;
  private open = false;
  private floor: number | undefined;
  /** The assistant is talking: starting needs a longer, louder run. */
  assistantSpeaking = false;

  constructor(options: SpeechGateOptions = {}) {
    const frameMs = options.frameMs ?? 20;
    const frames = (ms: number) => Math.max(1, Math.round(ms / frameMs));
    this.startFrames = frames(options.startMs ?? 100);
    this.bargeInFrames = frames(options.bargeInStartMs ?? 300);
    this.prerollFrames = frames(options.prerollMs ?? 300);
    this.hangoverFrames = frames(options.hangoverMs ?? 700);
    this.startRatio = options.startRatio ?? 3;
    this.continueRatio = options.continueRatio ?? 2;
    this.bargeInRatio = options.bargeInRatio ?? 2;
    this.minLevel = options.minLevel ?? 0.002;
  }

  get speaking(): boolean {
    return this.open;
  }

  /** The noise floor as tracked so far (RMS, 0..1). */
  get noiseFloor(): number {
    return this.floor ?? this.minLevel;
  }

  /** Feeds one frame; says what it caused, if anything. */
  push(frame: GateFrame): GateEvent | undefined {
    const floor = this.noiseFloor;
    const ratio = this.open ? this.continueRatio : this.startRatio * (this.assistantSpeaking ? this.bargeInRatio : 1);
    const loud = frame.level >= Math.max(this.minLevel, floor * ratio);
    const speech = loud && frame.voiced !== false;
    this.track(frame.level, speech);
    if (this.open) {
      this.silent = speech ? 0 : this.silent + 1;
      if (this.silent < this.hangoverFrames) return { type: 'frame', frame: frame.pcm };
      this.open = false;
      this.run = 0;
      this.recent = [];
      return { type: 'end' };
    }
    this.recent.push(frame.pcm);
    const needed = this.assistantSpeaking ? this.bargeInFrames : this.startFrames;
    if (this.recent.length > this.prerollFrames + needed) this.recent.shift();
    this.run = speech ? this.run + 1 : 0;
    if (this.run < needed) return undefined;
    this.open = true;
    this.silent = 0;
    const frames = this.recent;
    this.recent = [];
    return { type: 'start', frames };
  }

  /** Forgets the audio and any speech in progress (the noise floor is kept). */
  reset(): void {
    this.open = false;
    this.run = 0;
    this.silent = 0;
    this.recent = [];
  }

  private track(level: number, speech: boolean): void {
    if (this.floor === undefined || level < this.floor) this.floor = Math.max(level, this.minLevel / 4);
    // Speech frames still nudge it up, a little: a noise that starts loud enough to pass for speech (with no VAD
    // loaded) is learned within seconds instead of holding the gate open.
    else this.floor = Math.min(this.floor * (speech ? 1.002 : 1.01), level);
  }
}
