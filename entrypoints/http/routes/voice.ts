import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { HandleTurn } from '../../../core/pipeline/turn-pipeline.js';
import type { SpeechRecognizer } from '../../../core/ports/speech-recognizer.js';
import type { SpeechSynthesizer } from '../../../core/ports/speech-synthesizer.js';
import type { Telemetry } from '../../../core/ports/telemetry.js';
import type { VoiceActivityDetector } from '../../../core/ports/voice-activity-detector.js';
import { callerOf } from '../plugins/auth.js';
import { HttpProblem, problemOf } from '../problem.js';
import { DEFAULT_VOICE_LIMITS, VOICE_PROTOCOL, type VoiceLimits } from '../voice/voice-protocol.js';
import { VoiceSession } from '../voice/voice-session.js';
import { registerVoiceWebSocket } from '../voice/voice-websocket.js';

/** The voice route's path in its scope (/v1). */
const VOICE_PATH = '/voice';
import { present } from './turns.js';

export interface VoiceRoutesOptions {
  handleTurn: HandleTurn;
  synthesizer?: SpeechSynthesizer;
  /** The pipeline's recognizer, when it can stream: speech is recognised while it arrives. */
  recognizer?: SpeechRecognizer;
  createVad: () => Promise<VoiceActivityDetector>;
  telemetry: Telemetry;
  limits?: Partial<VoiceLimits>;
}

/**
 * GET /v1/voice upgrades to a WebSocket speaking `voice.v1` (see README, "Voice over WebSocket"). It sits behind the
 * same authentication and rate limit as the rest of /v1; the token may come in the subprotocol list as
 * `bearer.<token>`, since browsers cannot set an Authorization header on a WebSocket.
 */
export const voiceRoutes: FastifyPluginAsync<VoiceRoutesOptions> = async (app, options) => {
  const limits = { ...DEFAULT_VOICE_LIMITS, ...options.limits };
  await registerVoiceWebSocket(app, `${app.prefix}${VOICE_PATH}`, limits.maxFrameBytes);
  const offersProtocol = async (request: FastifyRequest) => {
    const offered = request.headers['sec-websocket-protocol']?.split(',').map((p) => p.trim()) ?? [];
    if (!offered.includes(VOICE_PROTOCOL)) {
      throw new HttpProblem(400, 'VOICE_PROTOCOL_REQUIRED', `Offer the WebSocket subprotocol ${VOICE_PROTOCOL}.`);
    }
  };
  app.get(VOICE_PATH, { websocket: true, preValidation: offersProtocol }, (socket, request) => {
    const { userId } = callerOf(request);
    const session = new VoiceSession({
      userId,
      handleTurn: options.handleTurn,
      ...(options.synthesizer && { synthesizer: options.synthesizer }),
      ...(options.recognizer && { recognizer: options.recognizer }),
      createVad: options.createVad,
      telemetry: options.telemetry,
      limits,
      problemOf: (error) => problemOf(error, request),
      present,
      transport: {
        sendText: (text) => socket.send(text),
        sendBinary: (data) => socket.send(data, { binary: true }),
        bufferedAmount: () => socket.bufferedAmount,
        close: (code, reason) => socket.close(code, reason),
      },
    });
    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      session.receive(
        Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data),
        isBinary,
      );
    });
    socket.on('close', () => session.close());
    session.open(socket.protocol);
  });
};
