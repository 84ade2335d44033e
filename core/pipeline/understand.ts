import type { TurnRecord } from '../model/turn.js';
import { loaded, required, signalOption } from './step-support.js';
import type { TurnDeps } from './turn-deps.js';
import { extend } from './extend.js';

/** Classifies the text, telling the NLU which slot the assistant is waiting for, if any. */
export async function understand(
  turn: TurnRecord,
  deps: Pick<TurnDeps, 'nlu' | 'registry' | 'signal'>,
): Promise<TurnRecord> {
  const text = required(turn, 'heard', 'understand');
  const { conversation, preferences } = loaded(turn, 'understand');
  const pending = conversation.state.pending;
  const slot = pending && deps.registry.resolve(pending.intent)?.intent.slots?.find((s) => s.name === pending.slot);
  const understanding = await deps.nlu.understand({
    text,
    language: preferences.language,
    conversationId: conversation.id,
    ...(pending && slot && { expecting: { intent: pending.intent, slot: slot.name, entity: slot.entity } }),
    ...signalOption(deps.signal),
  });
  return extend(turn, { understanding });
}
