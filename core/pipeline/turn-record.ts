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
  // Built field by field rather than with `...(cond && {...})` spreads, which take V8's slow path on Node 20; the
  // fields keep their order.
  const turn: TurnRecord = {
    id: deps.newId(),
    userId: request.userId,
    conversationId: request.conversationId,
    input,
  } as TurnRecord;
  if (request.speech) turn.speech = request.speech;
  if (request.idempotencyKey) turn.idempotencyKey = request.idempotencyKey;
  turn.receivedAt = deps.clock.now().toISOString();
  turn.attempt = 1;
  turn.timings = {};
  return turn;
}
