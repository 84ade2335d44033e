import type { IoOptions } from '../model/io.js';
import type { Track, TrackQuery } from '../model/music.js';

export interface MusicCatalog {
  search(query: TrackQuery & IoOptions): Promise<Track[]>;
  get(request: { trackId: string } & IoOptions): Promise<Track | undefined>;
  /** Known values, used to train the NLU's entity dictionaries. */
  facets(options?: IoOptions): Promise<{ genres: string[]; artists: string[]; titles: string[] }>;
}
