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
