import type { TurnRecord } from '../model/turn.js';
import { loaded, required } from './step-support.js';
import { storedExchange, titleFrom } from './stored-exchange.js';
import type { TurnDeps } from './turn-deps.js';
import { turnEvents } from './turn-events.js';
import { extend } from './extend.js';

/**
 * Appends the user and assistant turns, the new dialogue state and the turn's events in one atomic write, checked
 * against the version that was loaded; a VersionConflictError sends the runner back to `load`. Every attempt makes
 * new ids, and a conflicted attempt writes nothing, so only the attempt that commits leaves events behind. Without a
 * relay nothing would deliver the events, so none are written.
 */
export async function persist(
  turn: TurnRecord,
  deps: Pick<TurnDeps, 'conversations' | 'newId' | 'relay'>,
): Promise<TurnRecord> {
  const { conversation } = loaded(turn, 'persist');
  const response = required(turn, 'response', 'persist');
  const ids = { user: deps.newId(), assistant: deps.newId() };
  const turns = storedExchange(turn, ids);
  const stored = await deps.conversations.appendExchange({
    userId: conversation.userId,
    conversationId: conversation.id,
    expectedVersion: conversation.version,
    turns,
    state: response.state,
    ...(deps.relay && { events: turnEvents(turn, ids, deps.newId) }),
    at: turn.receivedAt,
    ...(conversation.title === undefined && { title: titleFrom(turns[0].text) }),
  });
  return extend(turn, { stored: { version: stored.version, userTurnId: ids.user, assistantTurnId: ids.assistant } });
}
