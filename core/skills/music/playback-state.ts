import type { Track } from '../../model/music.js';

export type PlaybackStatus = 'playing' | 'paused' | 'stopped';

/** The music queue kept with the conversation. */
export interface PlaybackState {
  queue: Track[];
  index: number;
  status: PlaybackStatus;
}

export function readPlayback(raw: Readonly<Record<string, unknown>>): PlaybackState {
  const queue = Array.isArray(raw.queue) ? (raw.queue as Track[]) : [];
  const index = typeof raw.index === 'number' && raw.index >= 0 && raw.index < queue.length ? raw.index : 0;
  const status = raw.status === 'playing' || raw.status === 'paused' ? raw.status : 'stopped';
  return { queue, index, status: queue.length === 0 ? 'stopped' : status };
}

export function current(state: PlaybackState): Track | undefined {
  return state.queue[state.index];
}
