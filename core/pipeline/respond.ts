import { isCoreError, ErrorCodes } from '../errors.js';
import { skillTools, validateToolCall, type ValidToolCall } from '../dialogue/skill-tools.js';
import type { ChatMessage, ToolCall, ToolDefinition } from '../model/completion.js';
import type { Decision } from '../model/decision.js';
import type { DialogueState } from '../model/dialogue-state.js';
import type { TurnRecord, TurnResponse } from '../model/turn.js';
import { loaded, required, signalOption } from './step-support.js';
import type { TurnDeps } from './turn-deps.js';

type RespondDeps = Pick<TurnDeps, 'registry' | 'model' | 'conversations' | 'options' | 'signal'>;

/** Produces the reply for the decision: runs the skill, asks the follow-up question, or consults the model. */
export async function respond(turn: TurnRecord, deps: RespondDeps): Promise<TurnRecord> {
  let decision = required(turn, 'decision', 'respond');
  const { pending: _answered, ...rest } = loaded(turn, 'respond').conversation.state;
  // A model that can call tools is offered the skills: its valid call runs the skill as if the NLU had chosen it.
  const consulted = decision.kind === 'llm' ? await consultModel(turn, deps) : undefined;
  if (consulted?.kind === 'skill') decision = consulted;
  const state: DialogueState = { ...rest, lastIntent: decision.intent, skills: { ...rest.skills } };
  const response =
    consulted !== undefined && consulted.kind === 'answer'
      ? { ...consulted.answer, state }
      : await replyFor(decision, state, turn, deps);
  return { ...turn, decision, response };
}

type Consulted = { kind: 'answer'; answer: Omit<TurnResponse, 'state'> } | Extract<Decision, { kind: 'skill' }>;

/** The model's answer, or the skill decision its valid tool call amounts to. */
async function consultModel(turn: TurnRecord, deps: RespondDeps): Promise<Consulted> {
  if (!deps.model.capabilities.tools) return { kind: 'answer', answer: await askModel(turn, deps) };
  const answer = await askModel(turn, deps, skillTools(deps.registry));
  const call = answer.toolCall && validateToolCall(answer.toolCall, deps.registry);
  const filled = call && withRemembered(call, turn, deps);
  if (filled) return filled;
  // An invalid call, or one that still lacks a slot: the model answers in words instead.
  if (answer.toolCall) return { kind: 'answer', answer: await askModel(turn, deps) };
  const { toolCall: _none, ...plain } = answer;
  return { kind: 'answer', answer: plain };
}

/** Fills the slots the model left out from the preferences or the skill's memory, as the dialogue policy would. */
function withRemembered(
  call: ValidToolCall,
  turn: TurnRecord,
  deps: RespondDeps,
): Extract<Decision, { kind: 'skill' }> | undefined {
  const { conversation, preferences } = loaded(turn, 'respond');
  const slots = { ...call.slots };
  for (const slot of deps.registry.resolve(call.intent)?.intent.slots ?? []) {
    if (slots[slot.name] !== undefined) continue;
    const preferred = slot.fromPreferences ? preferences[slot.fromPreferences] : undefined;
    const kept = slot.remembered ? conversation.state.skills[call.skill]?.[slot.name] : undefined;
    const value = [preferred, kept].find((v) => typeof v === 'string' && v.length > 0);
    if (typeof value === 'string') slots[slot.name] = value;
    else if (slot.required) return undefined;
  }
  return { kind: 'skill', skill: call.skill, intent: call.intent, slots };
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
      state: { ...state, pending: { intent, skill, slot, slots, attempts } },
    };
  }
  if (decision.kind === 'llm') {
    const { toolCall: _unused, ...answer } = await askModel(turn, deps);
    return { ...answer, state };
  }
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

async function askModel(
  turn: TurnRecord,
  deps: RespondDeps,
  tools?: readonly ToolDefinition[],
): Promise<Omit<TurnResponse, 'state'> & { toolCall?: ToolCall }> {
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
      ...(tools && { tools }),
      ...signalOption(deps.signal),
    });
    return {
      text: completion.text.trim(),
      endConversation: false,
      ...(completion.toolCall && { toolCall: completion.toolCall }),
    };
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
