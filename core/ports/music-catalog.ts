export interface Track {
  id: string;
  title: string;
  artist: string;
  album?: string;
  genre: string;
  durationSeconds: number;
  streamUrl: string;
  license?: string;
}

export interface TrackQuery {
  text?: string;
  title?: string;
  artist?: string;
  genre?: string;
  limit: number;
}

export interface MusicCatalog {
  search(query: TrackQuery): Promise<Track[]>;
  get(trackId: string): Promise<Track | undefined>;
  /** Known values, used to train the NLU's entity dictionaries. */
  facets(): Promise<{ genres: string[]; artists: string[]; titles: string[] }>;
}
