import type { Audio } from '../model/audio.js';
import type { Conversation, Turn } from '../model/conversation.js';
import type { TurnRecord, TurnReply } from '../model/turn.js';
import { required } from './step-support.js';
import { extend } from './extend.js';

/** The reply to the caller, from a finished record (and the spoken reply's audio, when there is one). */
export function buildReply(turn: TurnRecord, audio: Audio | undefined, totalMs: number): TurnReply {
  if (turn.replay) return turn.replay;
  const decision = required(turn, 'decision', 'reply');
  const response = required(turn, 'response', 'reply');
  const stored = required(turn, 'stored', 'reply');
  const skill = decision.kind === 'llm' ? undefined : decision.skill;
  return {
    conversationId: turn.conversationId,
    turnId: stored.assistantTurnId,
    text: response.text,
    heard: required(turn, 'heard', 'reply'),
    intent: decision.intent,
    confidence: required(turn, 'understanding', 'reply').confidence,
    route: decision.kind,
    ...(skill && { skill }),
    slots: decision.kind === 'llm' ? {} : decision.slots,
    ...(response.data && { data: response.data }),
    endConversation: response.endConversation,
    ...(audio && { audio }),
    ...(turn.speechOut && 'error' in turn.speechOut && { speechError: turn.speechOut.error }),
    timings: extend(turn.timings, { total: totalMs }),
    version: stored.version,
    ...(response.interrupted && { interrupted: true }),
  };
}

/** The stored reply to an earlier request with the same idempotency key, if it is among `recent`. */
export function replayedReply(conversation: Conversation, recent: readonly Turn[], key: string): TurnReply | undefined {
  const index = recent.findIndex((turn) => turn.role === 'user' && turn.idempotencyKey === key);
  const user = recent[index];
  const assistant = recent[index + 1];
  if (!user || assistant?.role !== 'assistant') return undefined;
  return {
    conversationId: conversation.id,
    turnId: assistant.id,
    text: assistant.text,
    heard: user.text,
    intent: assistant.intent ?? user.intent ?? 'None',
    confidence: 1,
    route: assistant.route ?? (assistant.skill ? 'skill' : 'llm'),
    ...(assistant.skill && { skill: assistant.skill }),
    slots: user.slots ?? {},
    ...(assistant.data && { data: assistant.data }),
    endConversation: assistant.endConversation ?? false,
    ...(assistant.interrupted && { interrupted: true }),
    timings: {},
    version: conversation.version,
    replayed: true,
  };
}
