import { isCoreError, ErrorCodes } from '../errors.js';
import { skillTools, validateToolCall, type ValidToolCall } from '../dialogue/skill-tools.js';
import type { ChatMessage, ToolCall, ToolDefinition } from '../model/completion.js';
import type { Decision } from '../model/decision.js';
import type { DialogueState } from '../model/dialogue-state.js';
import type { TurnRecord, TurnResponse } from '../model/turn.js';
import { loaded, required, signalOption } from './step-support.js';
import type { TurnDeps } from './turn-deps.js';
import { extend } from './extend.js';

type RespondDeps = Pick<TurnDeps, 'registry' | 'model' | 'conversations' | 'options' | 'signal' | 'stream'>;

/** Produces the reply for the decision: runs the skill, asks the follow-up question, or consults the model. */
export async function respond(turn: TurnRecord, deps: RespondDeps): Promise<TurnRecord> {
  let decision = required(turn, 'decision', 'respond');
  const { pending: _answered, ...rest } = loaded(turn, 'respond').conversation.state;
  // A model that can call tools is offered the skills: its valid call runs the skill as if the NLU had chosen it.
  const consulted = decision.kind === 'llm' ? await consultModel(turn, deps) : undefined;
  if (consulted?.kind === 'skill') decision = consulted;
  const state: DialogueState = extend(rest, { lastIntent: decision.intent, skills: { ...rest.skills } });
  const response =
    consulted?.kind === 'answer' ? extend(consulted.answer, { state }) : await replyFor(decision, state, turn, deps);
  const decided = consulted?.kind === 'skill' ? extend(turn, { decision }) : turn;
  if (!deps.stream) return extend(decided, { response });
  // A streamed model answer sent its deltas already; a skill, a question, a fallback or an answer that came with the
  // tools (offered on complete() only) answers in one.
  const sentAlready = consulted?.kind === 'answer' && consulted.streamed;
  if (!sentAlready && response.text.length > 0) deps.stream.delta(response.text);
  return extend(decided, { response: extend(response, { streamed: true }) });
}

type Consulted =
  { kind: 'answer'; answer: Omit<TurnResponse, 'state'>; streamed: boolean } | Extract<Decision, { kind: 'skill' }>;

/** The model's answer, or the skill decision its valid tool call amounts to. */
async function consultModel(turn: TurnRecord, deps: RespondDeps): Promise<Consulted> {
  if (!deps.model.capabilities.tools) return wordsOf(await askModel(turn, deps), deps);
  const answer = await askModel(turn, deps, skillTools(deps.registry));
  const call = answer.toolCall && validateToolCall(answer.toolCall, deps.registry);
  const filled = call && withRemembered(call, turn, deps);
  if (filled) return filled;
  // An invalid call, or one that still lacks a slot: the model answers in words instead (streamed when asked).
  if (answer.toolCall) return wordsOf(await askModel(turn, deps), deps);
  const { toolCall: _none, ...plain } = answer;
  return { kind: 'answer', answer: plain, streamed: false };
}

/** A words-only answer: streamed to the caller as it came, unless it is the fallback for a failed model. */
function wordsOf(answer: Omit<TurnResponse, 'state'> & { toolCall?: ToolCall }, deps: RespondDeps): Consulted {
  const { toolCall: _none, ...plain } = answer;
  return { kind: 'answer', answer: plain, streamed: deps.stream !== undefined && plain.degraded === undefined };
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
      state: extend(state, { pending: { intent, skill, slot, slots, attempts } }),
    };
  }
  if (decision.kind === 'llm') {
    const { toolCall: _unused, ...answer } = await askModel(turn, deps);
    return extend(answer, { state });
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

/** The model's reply; with `tools`, through complete() (tools are not offered on streams), possibly a tool call. */
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
  const request = {
    system: options.systemPrompt,
    messages,
    maxTokens: options.maxTokens,
    temperature: options.temperature,
  };
  const stream = tools ? undefined : deps.stream;
  const said: string[] = [];
  try {
    if (!stream) {
      const completion = await deps.model.complete(
        Object.assign({}, request, tools && { tools }, signalOption(deps.signal)),
      );
      return {
        text: completion.text.trim(),
        endConversation: false,
        ...(completion.toolCall && { toolCall: completion.toolCall }),
      };
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
