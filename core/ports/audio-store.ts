import type { Audio, AudioRef } from '../model/audio.js';
import type { IoOptions } from '../model/io.js';

export interface AudioStoreCapabilities {
  /** Survives a process restart and can be read by another process (e.g. another Lambda). */
  shared: boolean;
}

/** Keeps audio clips so turn records can name them instead of carrying them. */
export interface AudioStore {
  readonly capabilities: AudioStoreCapabilities;
  put(request: { audio: Audio } & IoOptions): Promise<AudioRef>;
  /** Throws NotFoundError when the clip is unknown or has expired. */
  get(request: { ref: AudioRef } & IoOptions): Promise<Audio>;
  /** Forgets the clip; forgetting an unknown clip is not an error. */
  delete(request: { ref: AudioRef } & IoOptions): Promise<void>;
}
