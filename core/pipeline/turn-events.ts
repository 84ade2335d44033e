import type { DomainEvent } from '../model/events.js';
import type { TurnRecord } from '../model/turn.js';
import { required } from './step-support.js';

/** The domain events of a stored turn: what the user said, how the assistant replied, and a degraded reply. */
export function turnEvents(turn: TurnRecord, newId: () => string): DomainEvent[] {
  const decision = required(turn, 'decision', 'publish');
  const response = required(turn, 'response', 'publish');
  const stored = required(turn, 'stored', 'publish');
  const base = { at: turn.receivedAt, userId: turn.userId, conversationId: turn.conversationId };
  const skill = decision.kind === 'llm' ? undefined : decision.skill;
  const events: DomainEvent[] = [
    {
      ...base,
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
      ...base,
      id: newId(),
      type: 'AssistantReplied',
      turnId: stored.assistantTurnId,
      route: decision.kind,
      ...(skill && { skill }),
      intent: decision.intent,
      timings: { ...turn.timings },
    },
  ];
  if (response.degraded) {
    const { code, message } = response.degraded;
    events.push({ ...base, id: newId(), type: 'SystemError', code, step: 'respond', message });
  }
  return events;
}
