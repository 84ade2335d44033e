import type { DomainEvent } from '../model/events.js';
import type { TurnRecord } from '../model/turn.js';
import { extend } from './extend.js';
import { required } from './step-support.js';

/** The domain events of a stored turn: what the user said, how the assistant replied, and a degraded reply. */
export function turnEvents(turn: TurnRecord, newId: () => string): DomainEvent[] {
  const decision = required(turn, 'decision', 'publish');
  const response = required(turn, 'response', 'publish');
  const stored = required(turn, 'stored', 'publish');
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
      turnId: stored.userTurnId,
      text: required(turn, 'heard', 'publish'),
      inputMode: turn.input.kind,
      intent: decision.intent,
      confidence: required(turn, 'understanding', 'publish').confidence,
      ...(turn.sentiment && { sentiment: turn.sentiment }),
    },
    {
      at,
      userId,
      conversationId,
      id: newId(),
      type: 'AssistantReplied',
      turnId: stored.assistantTurnId,
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
