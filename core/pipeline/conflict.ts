import type { DialogueState } from '../model/dialogue-state.js';
import type { TurnRecord } from '../model/turn.js';
import type { SkillRegistry } from '../skills/skill-registry.js';
import { loaded, required } from './step-support.js';

/**
 * After another writer moved the conversation, a reply that already acted on the world (a skill with side effects)
 * is kept and re-applied to the fresh conversation instead of being produced again: the skill's own state and the
 * open question come from this turn, everything else from what the other writer stored.
 */
export function keepsReplyAfterConflict(turn: TurnRecord, registry: SkillRegistry): boolean {
  const decision = turn.decision;
  return decision?.kind === 'skill' && registry.resolve(decision.intent)?.skill.sideEffects === true;
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
  return { ...turn, response: { ...response, state } };
}
