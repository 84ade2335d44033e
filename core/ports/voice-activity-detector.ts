export interface VoiceActivityDetectorCapabilities {
  /** The sample rate of the frames it classifies (16-bit mono PCM). */
  sampleRate: number;
  /** The frame lengths it accepts, in samples (WebRTC's VAD: 10, 20 or 30 ms). */
  frameSamples: readonly number[];
}

/**
 * Tells speech from non-speech, one short frame at a time. Stateful (it adapts to the noise floor), so each audio
 * stream gets its own detector; `close` releases it.
 */
export interface VoiceActivityDetector {
  readonly capabilities: VoiceActivityDetectorCapabilities;
  /** Whether the frame (16-bit mono PCM at `sampleRate`, one of `frameSamples` long) holds speech. */
  isSpeech(frame: Int16Array): boolean;
  /** Forgets what it learned about the stream so far. */
  reset(): void;
  close(): void;
}
