import { decide as decideWithPolicy, defaultPolicyOptions } from '../dialogue/dialogue-policy.js';
import type { TurnRecord } from '../model/turn.js';
import { loaded, required } from './step-support.js';
import type { TurnDeps } from './turn-deps.js';
import { extend } from './extend.js';

/** Chooses a skill, a follow-up question for a missing slot, or the language model (the dialogue policy). */
export async function decide(turn: TurnRecord, deps: Pick<TurnDeps, 'registry' | 'options'>): Promise<TurnRecord> {
  const { conversation, preferences } = loaded(turn, 'decide');
  const decision = decideWithPolicy(
    required(turn, 'understanding', 'decide'),
    conversation.state,
    deps.registry,
    preferences,
    required(turn, 'heard', 'decide'),
    deps.options.policy ?? defaultPolicyOptions,
  );
  return Promise.resolve(extend(turn, { decision }));
}
