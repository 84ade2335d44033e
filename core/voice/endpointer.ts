export interface EndpointerOptions {
  /** Length of one frame, in milliseconds. */
  frameMs: number;
  /** Voiced time in a row that starts speech (shorter blips are noise); default 60 ms. */
  startMs?: number;
  /** Unvoiced time in a row after speech that ends the utterance; default 500 ms. */
  hangoverMs?: number;
  /** Audio kept from before speech started, so the first syllable is not clipped; default 200 ms. */
  prerollMs?: number;
  /** An utterance is cut here even if the speaker goes on; default 15 s. */
  maxUtteranceMs?: number;
}

export type EndpointEvent =
  | { type: 'speech-started' }
  | { type: 'speech-ended'; utterance: Int16Array[]; reason: 'silence' | 'max-length' | 'forced' };

/**
 * Turns per-frame speech decisions (a VoiceActivityDetector's) into utterances: speech starts after `startMs` of
 * voiced frames, ends after `hangoverMs` of unvoiced ones, and keeps `prerollMs` of audio before the start.
 */
export class Endpointer {
  private readonly startFrames: number;
  private readonly hangoverFrames: number;
  private readonly prerollFrames: number;
  private readonly maxFrames: number;
  private recent: Int16Array[] = [];
  private utterance: Int16Array[] = [];
  private voicedRun = 0;
  private silentRun = 0;
  private speaking = false;

  constructor(options: EndpointerOptions) {
    const frames = (ms: number) => Math.max(1, Math.round(ms / options.frameMs));
    this.startFrames = frames(options.startMs ?? 60);
    this.hangoverFrames = frames(options.hangoverMs ?? 500);
    this.prerollFrames = frames(options.prerollMs ?? 200);
    this.maxFrames = frames(options.maxUtteranceMs ?? 15_000);
  }

  get inSpeech(): boolean {
    return this.speaking;
  }

  /** The frames of the utterance so far (pre-roll included); empty between utterances. */
  get utteranceSoFar(): readonly Int16Array[] {
    return this.speaking ? this.utterance : [];
  }

  /** Feeds one frame and its decision; returns what it caused, if anything. */
  push(frame: Int16Array, voiced: boolean): EndpointEvent | undefined {
    if (!this.speaking) {
      this.recent.push(frame);
      if (this.recent.length > this.prerollFrames + this.startFrames) this.recent.shift();
      this.voicedRun = voiced ? this.voicedRun + 1 : 0;
      if (this.voicedRun < this.startFrames) return undefined;
      this.speaking = true;
      this.silentRun = 0;
      this.utterance = this.recent;
      this.recent = [];
      return { type: 'speech-started' };
    }
    this.utterance.push(frame);
    this.silentRun = voiced ? 0 : this.silentRun + 1;
    if (this.silentRun >= this.hangoverFrames) return this.end('silence');
    if (this.utterance.length >= this.maxFrames) return this.end('max-length');
    return undefined;
  }

  /** Ends the utterance now (the client said `end`); undefined when no speech was going on. */
  force(): EndpointEvent | undefined {
    return this.speaking ? this.end('forced') : undefined;
  }

  reset(): void {
    this.speaking = false;
    this.recent = [];
    this.utterance = [];
    this.voicedRun = 0;
  }

  private end(reason: 'silence' | 'max-length' | 'forced'): EndpointEvent {
    const utterance = this.utterance;
    this.reset();
    return { type: 'speech-ended', utterance, reason };
  }
}
