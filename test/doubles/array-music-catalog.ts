import { throwIfAborted } from '../../core/errors.js';
import type { IoOptions } from '../../core/model/io.js';
import type { MusicCatalog } from '../../core/ports/music-catalog.js';
import type { Track, TrackQuery } from '../../core/model/music.js';

export const SAMPLE_TRACKS: Track[] = [
  {
    id: 't1',
    title: 'Blue Night',
    artist: 'Ella Moon',
    genre: 'jazz',
    durationSeconds: 200,
    streamUrl: 'https://example.test/t1.mp3',
  },
  {
    id: 't2',
    title: 'Slow Swing',
    artist: 'Ella Moon',
    genre: 'jazz',
    durationSeconds: 180,
    streamUrl: 'https://example.test/t2.mp3',
  },
  {
    id: 't3',
    title: 'Loud Road',
    artist: 'The Rivets',
    genre: 'rock',
    durationSeconds: 240,
    streamUrl: 'https://example.test/t3.mp3',
  },
];

/** A catalog over a fixed array, matching case-insensitively. */
export class ArrayMusicCatalog implements MusicCatalog {
  constructor(private readonly tracks: Track[] = SAMPLE_TRACKS) {}
  async search(query: TrackQuery & IoOptions): Promise<Track[]> {
    throwIfAborted(query.signal);
    const has = (value: string, part?: string) =>
      part === undefined || value.toLowerCase().includes(part.toLowerCase());
    return this.tracks
      .filter((t) => has(t.genre, query.genre) && has(t.artist, query.artist) && has(t.title, query.title))
      .filter((t) => query.text === undefined || [t.title, t.artist, t.genre].some((v) => has(v, query.text)))
      .slice(0, query.limit);
  }
  async get({ trackId, signal }: { trackId: string } & IoOptions): Promise<Track | undefined> {
    throwIfAborted(signal);
    return this.tracks.find((t) => t.id === trackId);
  }
  async facets(options: IoOptions = {}) {
    throwIfAborted(options.signal);
    const uniq = (values: string[]) => [...new Set(values)];
    return {
      genres: uniq(this.tracks.map((t) => t.genre)),
      artists: uniq(this.tracks.map((t) => t.artist)),
      titles: this.tracks.map((t) => t.title),
    };
  }
}
