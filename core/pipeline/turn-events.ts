import type { DomainEvent } from '../model/events.js';
import type { TurnRecord } from '../model/turn.js';
import { extend } from './extend.js';
import { required } from './step-support.js';

/**
 * The domain events of a turn about to be stored under the given turn ids: what the user said, how the assistant
 * replied, and a degraded reply. They are written with the turns, so the reply's timings end with `respond`.
 */
export function turnEvents(
  turn: TurnRecord,
  ids: { user: string; assistant: string },
  newId: () => string,
): DomainEvent[] {
  const decision = required(turn, 'decision', 'persist');
  const response = required(turn, 'response', 'persist');
  // Each event lists the shared fields itself: a literal that starts by spreading a shared object is slow on Node 20.
  const { receivedAt: at, userId, conversationId } = turn;
  const skill = decision.kind === 'llm' ? undefined : decision.skill;
  const events: DomainEvent[] = [
    {
      at,
      userId,
      conversationId,
      id: newId(),
      type: 'UserInteraction',
      turnId: ids.user,
      text: required(turn, 'heard', 'persist'),
      inputMode: turn.input.kind,
      intent: decision.intent,
      confidence: required(turn, 'understanding', 'persist').confidence,
      ...(turn.sentiment && { sentiment: turn.sentiment }),
    },
    {
      at,
      userId,
      conversationId,
      id: newId(),
      type: 'AssistantReplied',
      turnId: ids.assistant,
      route: decision.kind,
      ...(skill && { skill }),
      intent: decision.intent,
      timings: extend({}, turn.timings),
    },
  ];
  if (response.degraded) {
    const { code, message } = response.degraded;
    events.push({ at, userId, conversationId, id: newId(), type: 'SystemError', code, step: 'respond', message });
  }
  return events;
}
