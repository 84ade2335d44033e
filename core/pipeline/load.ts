import { ConversationNotFoundError } from '../errors.js';
import type { TurnRecord } from '../model/turn.js';
import type { TurnDeps } from './turn-deps.js';
import { signalOption } from './step-support.js';
import { replayedReply } from './turn-reply.js';
import { extend } from './extend.js';

/** How far back a repeated idempotency key is looked for: retries come within seconds, not dozens of turns. */
const REPLAY_WINDOW_TURNS = 40;

/**
 * Reads the conversation and the user's preferences (again after a version conflict). A repeated idempotency key
 * whose exchange is already stored sets `replay`, which ends the turn.
 */
export async function load(
  turn: TurnRecord,
  deps: Pick<TurnDeps, 'conversations' | 'preferences' | 'telemetry' | 'signal'>,
): Promise<TurnRecord> {
  const [conversation, preferences] = await Promise.all([
    deps.conversations.get({ userId: turn.userId, conversationId: turn.conversationId, ...signalOption(deps.signal) }),
    turn.preferences ?? deps.preferences(turn.userId, signalOption(deps.signal)),
  ]);
  if (!conversation) throw new ConversationNotFoundError(turn.conversationId);
  const next = extend(turn, { conversation, preferences });
  if (!turn.idempotencyKey) return next;
  const recent = await deps.conversations.recentTurns({
    userId: turn.userId,
    conversationId: conversation.id,
    limit: REPLAY_WINDOW_TURNS,
    ...signalOption(deps.signal),
  });
  const replay = replayedReply(conversation, recent, turn.idempotencyKey);
  if (replay) deps.telemetry.metric('TurnReplayed', 1, 'Count');
  return replay ? extend(next, { replay }) : next;
}
