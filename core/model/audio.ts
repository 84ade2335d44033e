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
