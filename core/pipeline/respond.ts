import { isCoreError, ErrorCodes } from '../errors.js';
import type { ChatMessage } from '../model/completion.js';
import type { Decision } from '../model/decision.js';
import type { DialogueState } from '../model/dialogue-state.js';
import type { TurnRecord, TurnResponse } from '../model/turn.js';
import { loaded, required, signalOption } from './step-support.js';
import type { TurnDeps } from './turn-deps.js';
import { extend } from './extend.js';

type RespondDeps = Pick<TurnDeps, 'registry' | 'model' | 'conversations' | 'options' | 'signal' | 'stream'>;

/** Produces the reply for the decision: runs the skill, asks the follow-up question, or consults the model. */
export async function respond(turn: TurnRecord, deps: RespondDeps): Promise<TurnRecord> {
  const decision = required(turn, 'decision', 'respond');
  const { pending: _answered, ...rest } = loaded(turn, 'respond').conversation.state;
  const state: DialogueState = extend(rest, { lastIntent: decision.intent, skills: { ...rest.skills } });
  const response = await replyFor(decision, state, turn, deps);
  if (!deps.stream) return extend(turn, { response });
  // The model streamed its deltas already; a skill or a question answers in one.
  if ((decision.kind !== 'llm' || response.degraded) && response.text.length > 0) deps.stream.delta(response.text);
  return extend(turn, { response: extend(response, { streamed: true }) });
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
  const request = {
    system: options.systemPrompt,
    messages,
    maxTokens: options.maxTokens,
    temperature: options.temperature,
  };
  const { stream } = deps;
  const said: string[] = [];
  try {
    if (!stream) {
      const completion = await deps.model.complete({ ...request, ...signalOption(deps.signal) });
      return { text: completion.text.trim(), endConversation: false };
    }
    const signals = [deps.signal, stream.interruption].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    // Whitespace is held back until more text follows, so the reply is trimmed as complete()'s is and the stored
    // text is exactly the deltas joined.
    let held = '';
    for await (const chunk of deps.model.stream({ ...request, ...signalOption(signal) })) {
      if (chunk.type !== 'text') continue;
      const combined = held + chunk.text;
      const body = combined.trimEnd();
      held = combined.slice(body.length);
      const text = said.length === 0 ? body.trimStart() : body;
      if (text.length === 0) continue;
      said.push(text);
      stream.delta(text);
    }
    return { text: said.join(''), endConversation: false };
  } catch (error) {
    // Interrupted by the user, not abandoned by the caller: the reply so far stands, `delivered` trims it further.
    if (stream?.interruption?.aborted && !deps.signal?.aborted) {
      return { text: said.join(''), endConversation: false, interrupted: true };
    }
    // Part of the reply already reached a streaming caller: a fallback now would not match what they got.
    if (said.length > 0) throw error;
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
