import type { Decision } from '../model/decision.js';
import type { DialogueState } from '../model/dialogue-state.js';
import { isCoreError, ErrorCodes } from '../errors.js';
import type { ChatMessage } from '../model/completion.js';
import type { LanguageModel } from '../ports/language-model.js';
import type { SkillResult } from '../model/skill.js';
import type { Preferences } from '../model/profile.js';
import type { Turn } from '../model/conversation.js';
import type { SkillRegistry } from '../skills/skill-registry.js';

export interface Response {
  text: string;
  data?: Record<string, unknown>;
  endConversation: boolean;
  state: DialogueState;
  /** Set when the reply is a graceful fallback for a failed dependency. */
  degraded?: { code: string; message: string };
}

export interface RespondContext {
  text: string;
  userId: string;
  conversationId: string;
  preferences: Preferences;
  now: Date;
  state: DialogueState;
  history: () => Promise<Turn[]>;
  systemPrompt: string;
  maxTokens: number;
  temperature: number;
  signal?: AbortSignal;
}

/** Produces the reply for a decision: runs the skill, asks the follow-up question, or consults the model. */
export async function respond(
  decision: Decision,
  registry: SkillRegistry,
  model: LanguageModel,
  context: RespondContext,
): Promise<Response> {
  const { pending: _dropped, ...rest } = context.state;
  const state: DialogueState = { ...rest, lastIntent: decision.intent, skills: { ...context.state.skills } };
  if (decision.kind === 'ask') {
    state.pending = { intent: decision.intent, skill: decision.skill, slot: decision.slot, slots: decision.slots, attempts: decision.attempts };
    return { text: decision.prompt, endConversation: false, state };
  }
  if (decision.kind === 'skill') {
    const binding = registry.resolve(decision.intent);
    if (!binding) throw new Error(`decision names unknown intent ${decision.intent}`);
    const result: SkillResult = await binding.skill.handle({
      intent: decision.intent,
      slots: decision.slots,
      text: context.text,
      userId: context.userId,
      conversationId: context.conversationId,
      preferences: context.preferences,
      now: context.now,
      state: context.state.skills[binding.skill.name] ?? {},
      ...(context.signal && { signal: context.signal }),
    });
    if (result.state) state.skills[binding.skill.name] = result.state;
    return { text: result.text, ...(result.data && { data: result.data }), endConversation: result.endConversation ?? false, state };
  }
  return { ...(await askModel(model, registry, context)), state };
}

async function askModel(model: LanguageModel, registry: SkillRegistry, context: RespondContext) {
  const history = await context.history();
  const messages: ChatMessage[] = mergeRoles([
    ...history.map((turn) => ({ role: turn.role, content: turn.text })),
    { role: 'user', content: context.text },
  ]);
  try {
    const completion = await model.complete({
      system: context.systemPrompt,
      messages,
      maxTokens: context.maxTokens,
      temperature: context.temperature,
      ...(context.signal && { signal: context.signal }),
    });
    return { text: completion.text.trim(), endConversation: false };
  } catch (error) {
    if (!isCoreError(error) || !error.retryable || error.code === ErrorCodes.ABORTED) throw error;
    const skills = registry.skills.map((skill) => skill.description).join('; ');
    return {
      text: `I can't answer that right now, but I can still help with: ${skills}.`,
      endConversation: false,
      degraded: { code: error.code, message: error.message },
    };
  }
}

/** Models want alternating roles starting with the user; consecutive turns of one role are joined. */
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
