import type { Track, TrackQuery } from '../model/music.js';

export interface MusicCatalog {
  search(query: TrackQuery): Promise<Track[]>;
  get(trackId: string): Promise<Track | undefined>;
  /** Known values, used to train the NLU's entity dictionaries. */
  facets(): Promise<{ genres: string[]; artists: string[]; titles: string[] }>;
}
