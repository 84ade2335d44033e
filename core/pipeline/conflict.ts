import type { DialogueState } from '../model/dialogue-state.js';
import type { TurnRecord } from '../model/turn.js';
import { VersionConflictError } from '../errors.js';
import { load } from './load.js';
import { loaded, required } from './step-support.js';
import type { TurnDeps } from './turn-deps.js';
import { extend } from './extend.js';

/**
 * After another writer moved the conversation, a reply that already acted on the world (a skill with side effects)
 * (or a reply the caller already received as a stream) is kept and re-applied to the fresh conversation instead of
 * being produced again: the skill's own state and the open question come from this turn, everything else from what
 * the other writer stored.
 */
export function keepsReplyAfterConflict(turn: TurnRecord): boolean {
  // A streamed reply already reached the caller: answering again could say something else than what they got.
  if (turn.response?.streamed === true) return true;
  return turn.decision?.kind === 'skill' && turn.decision.sideEffects === true;
}

export function rebaseReply(turn: TurnRecord): TurnRecord {
  const decision = required(turn, 'decision', 'persist');
  const response = required(turn, 'response', 'persist');
  const fresh = loaded(turn, 'persist').conversation.state;
  const skill = decision.kind === 'llm' ? undefined : decision.skill;
  const skillState = skill === undefined ? undefined : response.state.skills[skill];
  const state: DialogueState = {
    ...fresh,
    ...(response.state.lastIntent !== undefined && { lastIntent: response.state.lastIntent }),
    skills: { ...fresh.skills, ...(skill !== undefined && skillState !== undefined && { [skill]: skillState }) },
  };
  delete state.pending;
  if (response.state.pending) state.pending = response.state.pending;
  return extend(turn, { response: extend(response, { state }) });
}

/**
 * Reads the conversation again after another writer moved it, for the next attempt; once the attempts are spent the
 * conflict stands and the turn fails with it (retryable: the caller may send it again).
 */
export async function reload(
  turn: TurnRecord,
  deps: Pick<TurnDeps, 'conversations' | 'preferences' | 'telemetry' | 'options' | 'signal'>,
): Promise<TurnRecord> {
  deps.telemetry.metric('TurnVersionConflict', 1, 'Count');
  const version = turn.conversation?.version ?? 0;
  if (turn.attempt >= deps.options.maxConflictRetries) throw new VersionConflictError(turn.conversationId, version);
  return load(extend(turn, { attempt: turn.attempt + 1 }), deps);
}
