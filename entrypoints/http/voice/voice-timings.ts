import type { TurnReply } from '../../../core/model/turn.js';
import type { Telemetry } from '../../../core/ports/telemetry.js';
import type { VoiceTimings } from './voice-protocol.js';

/** Moments of a voice turn on the session's monotonic clock (ms); each is missing when it did not happen. */
export interface VoiceMarks {
  firstText?: number;
  firstAudio?: number;
  firstSentenceSynthesis?: number;
}

/**
 * The `turn` message's timings, measured from the end of the user's speech (`endedAt`), and the same figures as
 * metrics: time to first audio and the response by route, recognition, understanding, first-sentence synthesis, and
 * a count of interrupted replies.
 */
export function voiceTimings(
  reply: TurnReply,
  endedAt: number,
  marks: VoiceMarks,
  hangoverMs: number,
  telemetry: Telemetry,
): VoiceTimings {
  const t = reply.timings;
  const since = (mark: number | undefined) => (mark === undefined ? undefined : round(mark - endedAt));
  const timings: VoiceTimings = {
    timeToFirstAudio: since(marks.firstAudio),
    recognition: t.transcribe,
    understanding: round((t.understand ?? 0) + (t.decide ?? 0)),
    firstText: since(marks.firstText),
    response: t.respond,
    firstSentenceSynthesis:
      marks.firstSentenceSynthesis === undefined ? undefined : round(marks.firstSentenceSynthesis),
    hangover: hangoverMs,
  };
  const route = { route: reply.route };
  if (timings.timeToFirstAudio !== undefined) {
    telemetry.metric('VoiceTimeToFirstAudio', timings.timeToFirstAudio, 'Milliseconds', route);
  }
  if (timings.recognition !== undefined) telemetry.metric('VoiceRecognition', timings.recognition, 'Milliseconds');
  telemetry.metric('VoiceUnderstanding', timings.understanding ?? 0, 'Milliseconds');
  if (timings.response !== undefined) telemetry.metric('VoiceResponse', timings.response, 'Milliseconds', route);
  if (timings.firstSentenceSynthesis !== undefined) {
    telemetry.metric('VoiceFirstSentenceSynthesis', timings.firstSentenceSynthesis, 'Milliseconds');
  }
  if (reply.interrupted) telemetry.metric('VoiceReplyInterrupted', 1, 'Count');
  return timings;
}

/** Milliseconds to two decimals. */
export function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
