import type { Turn } from '../model/conversation.js';
import type { TurnRecord } from '../model/turn.js';
import { required } from './step-support.js';

/** The user turn and the assistant turn a turn record stores, under the ids given. */
export function storedExchange(turn: TurnRecord, ids: { user: string; assistant: string }): [Turn, Turn] {
  const heard = required(turn, 'heard', 'persist');
  const decision = required(turn, 'decision', 'persist');
  const response = required(turn, 'response', 'persist');
  const at = turn.receivedAt;
  const slots = decision.kind === 'llm' ? {} : decision.slots;
  const skill = decision.kind === 'llm' ? undefined : decision.skill;
  const user: Turn = {
    id: ids.user,
    role: 'user',
    text: heard,
    at,
    intent: decision.intent,
    ...(turn.idempotencyKey && { idempotencyKey: turn.idempotencyKey }),
    ...(Object.keys(slots).length > 0 && { slots }),
    ...(turn.sentiment && { sentiment: turn.sentiment }),
  };
  const assistant: Turn = {
    id: ids.assistant,
    role: 'assistant',
    text: response.text,
    at,
    intent: decision.intent,
    ...(skill && { skill }),
    ...(response.data && { data: response.data }),
    route: decision.kind,
    ...(response.endConversation && { endConversation: true }),
    ...(response.interrupted && { interrupted: true }),
  };
  return [user, assistant];
}

/** A conversation is titled after its first words, once. */
export function titleFrom(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length <= 60 ? clean : `${clean.slice(0, 57)}...`;
}
