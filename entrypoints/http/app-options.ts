import { WebRtcVoiceActivityDetector } from '../../adapters/local/webrtc-voice-activity-detector.js';
import type { Assistant } from '../composition/container.js';
import type { AppOptions } from './app.js';

/** What the app takes from a composed assistant and its config; the caller adds the logger and version. */
export type ComposedAppOptions = Omit<AppOptions, 'logger' | 'version' | 'trustProxy' | 'maxAudioBytes'>;

/**
 * The app's options for a composed assistant: its use cases, and the limits its config sets (the same text limit the
 * core enforces). The server and the tests build the app from this, so they cannot drift apart.
 */
export function appOptionsFor(assistant: Assistant): ComposedAppOptions {
  const { limits, server } = assistant.config;
  return {
    handleTurn: assistant.handleTurn,
    conversations: assistant.conversations,
    skills: assistant.skills,
    verifier: assistant.verifier,
    readiness: assistant.readiness,
    maxTextLength: limits.maxTextLength,
    bodyLimitBytes: limits.bodyLimitBytes,
    audioBodyLimitBytes: limits.audioBodyLimitBytes,
    maxAudioSeconds: limits.audioMaxSeconds,
    rateLimit: limits.rateLimitMax > 0 ? { max: limits.rateLimitMax, timeWindowMs: limits.rateLimitWindowMs } : false,
    authFailureLimit:
      limits.authFailureLimit > 0 ? { max: limits.authFailureLimit, timeWindowMs: limits.rateLimitWindowMs } : false,
    corsOrigins: server.corsOrigins,
    voice: {
      ...(assistant.synthesizer && { synthesizer: assistant.synthesizer }),
      ...(assistant.recognizer && { recognizer: assistant.recognizer }),
      telemetry: assistant.telemetry,
      createVad: () => WebRtcVoiceActivityDetector.create(),
    },
  };
}
