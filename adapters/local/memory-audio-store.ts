import { randomUUID } from 'node:crypto';
import { NotFoundError, throwIfAborted, ValidationError } from '../../core/errors.js';
import type { Audio, AudioRef } from '../../core/model/audio.js';
import type { IoOptions } from '../../core/model/io.js';
import type { AudioStore, AudioStoreCapabilities } from '../../core/ports/audio-store.js';
import type { Clock } from '../../core/ports/clock.js';

export interface MemoryAudioStoreOptions {
  /** Bytes held at most; the oldest clips go first beyond it. */
  maxBytes?: number;
  /** How long a clip is kept when nobody forgets it (a turn that died between put and delete). */
  ttlMs?: number;
  clock: Pick<Clock, 'now'>;
  newId?: () => string;
}

interface Entry {
  audio: Audio;
  expiresAt: number;
}

const PREFIX = 'memory:';

/** Audio clips in this process's memory, bounded in bytes and time: the in-process runner's audio store. */
export class MemoryAudioStore implements AudioStore {
  readonly capabilities: AudioStoreCapabilities = { shared: false };
  private readonly clips = new Map<string, Entry>();
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly newId: () => string;

  constructor(options: MemoryAudioStoreOptions) {
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.clock = options.clock;
    this.newId = options.newId ?? randomUUID;
  }

  async put(request: { audio: Audio } & IoOptions): Promise<AudioRef> {
    throwIfAborted(request.signal);
    const { audio } = request;
    if (audio.data.byteLength > this.maxBytes) {
      throw new ValidationError(`audio of ${audio.data.byteLength} bytes exceeds the store's ${this.maxBytes}`);
    }
    const uri = `${PREFIX}${this.newId()}`;
    // A copy, so a caller reusing its buffer cannot change a stored clip.
    const stored: Audio = { data: new Uint8Array(audio.data), format: audio.format, sampleRate: audio.sampleRate };
    this.clips.set(uri, { audio: stored, expiresAt: this.clock.now().getTime() + this.ttlMs });
    this.bytes += stored.data.byteLength;
    this.evict();
    return { uri, format: audio.format, sampleRate: audio.sampleRate, bytes: stored.data.byteLength };
  }

  async get(request: { ref: AudioRef } & IoOptions): Promise<Audio> {
    throwIfAborted(request.signal);
    const entry = this.clips.get(request.ref.uri);
    if (!entry || entry.expiresAt <= this.clock.now().getTime()) {
      if (entry) this.remove(request.ref.uri, entry);
      throw new NotFoundError(`audio ${request.ref.uri} is not in the store (never put, forgotten or expired)`);
    }
    return { ...entry.audio, data: new Uint8Array(entry.audio.data) };
  }

  async delete(request: { ref: AudioRef } & IoOptions): Promise<void> {
    throwIfAborted(request.signal);
    const entry = this.clips.get(request.ref.uri);
    if (entry) this.remove(request.ref.uri, entry);
  }

  private evict(): void {
    const now = this.clock.now().getTime();
    for (const [uri, entry] of this.clips) {
      if (this.bytes <= this.maxBytes && entry.expiresAt > now) break;
      this.remove(uri, entry);
    }
  }

  private remove(uri: string, entry: Entry): void {
    this.clips.delete(uri);
    this.bytes -= entry.audio.data.byteLength;
  }
}
