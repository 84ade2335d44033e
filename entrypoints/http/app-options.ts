import { WebRtcVoiceActivityDetector } from '../../adapters/local/webrtc-voice-activity-detector.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Assistant } from '../composition/container.js';
import type { AppOptions } from './app.js';
import type { WebVoiceTransport } from './routes/web.js';

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
    ...(assistant.minter && localProfileSession(assistant.minter)),
    voice: {
      ...(assistant.synthesizer && { synthesizer: assistant.synthesizer }),
      ...(assistant.recognizer && { recognizer: assistant.recognizer }),
      telemetry: assistant.telemetry,
      createVad: () => WebRtcVoiceActivityDetector.create(),
    },
  };
}

/**
 * The local profile's sign-in for the web client, by user name through the local minter (POST /v1/local/session).
 * The aws profile has no minter, so no such route.
 */
function localProfileSession(minter: NonNullable<Assistant['minter']>): Pick<ComposedAppOptions, 'localSession'> {
  return { localSession: { mint: (userId, ttlSeconds) => minter.mint({ userId, ttlSeconds }) } };
}

/**
 * The built web client (dist/web: two levels up from here and from dist/bin alike; or WEB_DIR), served at `/` on the
 * local profile when it has been built (npm start builds it). Only the server adds it, so the API tests do not depend
 * on whether a client was built. WEB_VOICE (`websocket`, the default, or `http`) picks how its Talk button reaches
 * the server: `http` tries locally the per-utterance HTTP turns a deployment on API Gateway uses.
 */
export function localWebClient(assistant: Assistant): Pick<ComposedAppOptions, 'web'> {
  if (!assistant.minter) return {};
  const root = process.env['WEB_DIR'] ?? fileURLToPath(new URL('../../dist/web/', import.meta.url));
  const voice = webVoiceTransport(process.env['WEB_VOICE']);
  return existsSync(`${root}/index.html`)
    ? { web: { root, config: { auth: { kind: 'local' }, ...(voice && { voice }) } } }
    : {};
}

/** WEB_VOICE checked: absent or empty is the client's default (websocket); anything else stops the start. */
export function webVoiceTransport(value: string | undefined): WebVoiceTransport | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'websocket' || value === 'http') return value;
  throw new Error(`WEB_VOICE must be "websocket" or "http", not "${value}"`);
}
