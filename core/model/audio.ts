export type AudioFormat = 'wav' | 'mp3' | 'ogg' | 'pcm';

/** A clip of audio; `pcm` is signed 16-bit little-endian mono at `sampleRate`. */
export interface Audio {
  data: Uint8Array;
  format: AudioFormat;
  sampleRate: number;
}

export const AUDIO_MIME_TYPES: Record<AudioFormat, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  pcm: 'audio/L16',
};

/**
 * Audio held by an AudioStore, named instead of carried: turn records stay small and JSON-serialisable (a Step
 * Functions payload is limited to 256 KB), whichever runner moves them.
 */
export interface AudioRef {
  /** Where the store keeps the clip, e.g. `memory:…` or `s3://bucket/key`. */
  uri: string;
  format: AudioFormat;
  sampleRate: number;
  bytes: number;
}
