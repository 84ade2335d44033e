import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AbortedError, ValidationError } from '../../../core/errors.js';
import type { HandleTurn } from '../../../core/pipeline/turn-pipeline.js';
import type { TurnInput, TurnReply } from '../../../core/model/turn.js';
import { decodeAudioUpload, encodeAudio, type AudioLimits } from '../audio-payload.js';
import { callerOf } from '../plugins/auth.js';
import { problemOf } from '../problem.js';
import { SseStream, wantsEventStream } from '../sse-stream.js';
import {
  bearerSecurity,
  ConversationParamsSchema,
  problemResponses,
  turnBodySchema,
  TurnHeadersSchema,
  TurnReplySchema,
  type TurnBody,
} from '../schemas.js';

export interface TurnRoutesOptions {
  handleTurn: HandleTurn;
  /** Body limit of this route: audio arrives base64-encoded inside JSON, so it needs more than the default. */
  bodyLimitBytes: number;
  /** Largest decoded audio clip accepted. */
  maxAudioBytes: number;
  /** Longest audio clip accepted, in seconds. */
  maxAudioSeconds: number;
  /** Longest text accepted: the schema refuses longer text before the core would. */
  maxTextLength: number;
  /**
   * Answer `Accept: text/event-stream` with server-sent events; default true. The Lambda API turns it off: API
   * Gateway (REST) buffers the whole response, so it answers JSON there whatever the client accepts.
   */
  streaming?: boolean;
}

/** One conversational turn: text or audio in, the assistant's reply (optionally spoken) out. */
export const turnRoutes: FastifyPluginAsyncTypebox<TurnRoutesOptions> = async (app, options) => {
  const body = turnBodySchema(options.maxTextLength);
  app.post(
    '/conversations/:id/turns',
    {
      bodyLimit: options.bodyLimitBytes,
      schema: {
        summary: 'Say something to the assistant',
        description:
          'Send exactly one of `text` or `audio` (base64 WAV at 8–48 kHz, raw PCM, Ogg/Opus or WebM/Opus, ' +
          '`format` naming it). Add `speech` to get the reply as audio too. With `Accept: text/event-stream` the ' +
          'reply streams as server-sent events: `heard`, `delta` (text as it is produced), then `turn` (this JSON ' +
          'body) or `error` (a problem).',
        tags: ['turns'],
        security: bearerSecurity,
        params: ConversationParamsSchema,
        headers: TurnHeadersSchema,
        body,
        response: { 200: TurnReplySchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { userId } = callerOf(request);
      const input = await toInput(request.body, {
        maxBytes: options.maxAudioBytes,
        maxSeconds: options.maxAudioSeconds,
      });
      // IncomingMessage emits 'close' as soon as its body is consumed, so the response's 'close' before it
      // finished writing is what tells a client that went away from one still waiting.
      const controller = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) controller.abort(new AbortedError('the client closed the connection'));
      });
      const turn = {
        userId,
        conversationId: request.params.id,
        input,
        ...(request.body.speech && { speech: request.body.speech }),
        ...(request.headers['idempotency-key'] && { idempotencyKey: request.headers['idempotency-key'] }),
        signal: controller.signal,
      };
      if (options.streaming === false || !wantsEventStream(request.headers.accept)) {
        return reply.send(present(await options.handleTurn(turn)));
      }
      // A client that goes away aborts the turn (above): the model stops and nothing is stored.
      const sse = new SseStream(reply);
      try {
        const result = await options.handleTurn({
          ...turn,
          stream: { heard: (text) => sse.send('heard', { text }), delta: (text) => sse.send('delta', { text }) },
        });
        sse.send('turn', present(result));
      } catch (error) {
        if (!sse.started) throw error;
        sse.send('error', problemOf(error, request));
      }
      sse.end();
      return reply;
    },
  );
};

async function toInput(body: TurnBody, limits: AudioLimits): Promise<TurnInput> {
  if (body.text !== undefined) return { kind: 'text', text: body.text };
  if (body.audio) return { kind: 'audio', audio: await decodeAudioUpload(body.audio, limits) };
  throw new ValidationError('send exactly one of text or audio');
}

/** The reply as JSON: audio as base64. */
export function present(result: TurnReply) {
  // Only a spoken reply needs a copy (its audio as base64); Object.assign, as a literal that starts with a spread and
  // then adds to it is slow on Node 20 (core/pipeline/extend.ts).
  const { audio } = result;
  return audio ? Object.assign({}, result, { audio: encodeAudio(audio) }) : (result as Omit<TurnReply, 'audio'>);
}
