import { isCoreError, ErrorCodes } from '../errors.js';
import type { ChatMessage } from '../model/completion.js';
import type { Decision } from '../model/decision.js';
import type { DialogueState } from '../model/dialogue-state.js';
import type { TurnRecord, TurnResponse } from '../model/turn.js';
import { loaded, required, signalOption } from './step-support.js';
import type { TurnDeps } from './turn-deps.js';
import { extend } from './extend.js';

type RespondDeps = Pick<TurnDeps, 'registry' | 'model' | 'conversations' | 'options' | 'signal'>;

/** Produces the reply for the decision: runs the skill, asks the follow-up question, or consults the model. */
export async function respond(turn: TurnRecord, deps: RespondDeps): Promise<TurnRecord> {
  const decision = required(turn, 'decision', 'respond');
  const { pending: _answered, ...rest } = loaded(turn, 'respond').conversation.state;
  const state: DialogueState = extend(rest, { lastIntent: decision.intent, skills: { ...rest.skills } });
  const response = await replyFor(decision, state, turn, deps);
  return extend(turn, { response });
}

async function replyFor(
  decision: Decision,
  state: DialogueState,
  turn: TurnRecord,
  deps: RespondDeps,
): Promise<TurnResponse> {
  if (decision.kind === 'ask') {
    const { intent, skill, slot, slots, attempts } = decision;
    return {
      text: decision.prompt,
      endConversation: false,
      state: extend(state, { pending: { intent, skill, slot, slots, attempts } }),
    };
  }
  if (decision.kind === 'llm') return { ...(await askModel(turn, deps)), state };
  const binding = deps.registry.resolve(decision.intent);
  if (!binding) throw new Error(`decision names unknown intent ${decision.intent}`);
  const { conversation, preferences } = loaded(turn, 'respond');
  const result = await binding.skill.handle({
    intent: decision.intent,
    slots: decision.slots,
    text: required(turn, 'heard', 'respond'),
    userId: turn.userId,
    conversationId: conversation.id,
    preferences,
    now: new Date(turn.receivedAt),
    state: conversation.state.skills[binding.skill.name] ?? {},
    ...signalOption(deps.signal),
  });
  if (result.state) state.skills[binding.skill.name] = result.state;
  return {
    text: result.text,
    ...(result.data && { data: result.data }),
    endConversation: result.endConversation ?? false,
    state,
  };
}

async function askModel(turn: TurnRecord, deps: RespondDeps): Promise<Omit<TurnResponse, 'state'>> {
  const { options } = deps;
  const history = await deps.conversations.recentTurns({
    userId: turn.userId,
    conversationId: turn.conversationId,
    limit: options.historyWindow,
    ...signalOption(deps.signal),
  });
  const messages = mergeRoles([
    ...history.map((stored) => ({ role: stored.role, content: stored.text })),
    { role: 'user', content: required(turn, 'heard', 'respond') },
  ]);
  try {
    const completion = await deps.model.complete({
      system: options.systemPrompt,
      messages,
      maxTokens: options.maxTokens,
      temperature: options.temperature,
      ...signalOption(deps.signal),
    });
    return { text: completion.text.trim(), endConversation: false };
  } catch (error) {
    if (!isCoreError(error) || !error.retryable || error.code === ErrorCodes.ABORTED) throw error;
    const skills = deps.registry.skills.map((skill) => skill.description).join('; ');
    return {
      text: `I can't answer that right now, but I can still help with: ${skills}.`,
      endConversation: false,
      degraded: { code: error.code, message: error.message },
    };
  }
}

/**
 * The role rule the LanguageModel port promises its adapters: messages start with the user and alternate, so
 * consecutive turns of one role are joined.
 */
export function mergeRoles(messages: readonly ChatMessage[]): ChatMessage[] {
  const merged: ChatMessage[] = [];
  for (const message of messages) {
    const last = merged[merged.length - 1];
    if (last && last.role === message.role) last.content = `${last.content}\n${message.content}`;
    else merged.push({ ...message });
  }
  while (merged[0] && merged[0].role !== 'user') merged.shift();
  return merged;
}
