import type { TurnRecord, TurnRequest } from '../model/turn.js';
import { signalOption } from './step-support.js';
import type { TurnDeps } from './turn-deps.js';

/** A new record for a request; audio goes to the audio store so the record only names it. */
export async function startTurn(
  request: TurnRequest,
  deps: Pick<TurnDeps, 'audio' | 'clock' | 'newId'>,
): Promise<TurnRecord> {
  const input =
    request.input.kind === 'text'
      ? request.input
      : {
          kind: 'audio' as const,
          audio: await deps.audio.put({ audio: request.input.audio, ...signalOption(request.signal) }),
          ...(request.input.kind === 'voice' && { recognised: request.input.recognised }),
        };
  return {
    id: deps.newId(),
    userId: request.userId,
    conversationId: request.conversationId,
    input,
    ...(request.speech && { speech: request.speech }),
    ...(request.idempotencyKey && { idempotencyKey: request.idempotencyKey }),
    receivedAt: deps.clock.now().toISOString(),
    attempt: 1,
    timings: {},
  };
}
