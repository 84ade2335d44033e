import { randomUUID } from 'node:crypto';
import type { Conversation, Turn } from '../../core/model/conversation.js';
import type { DialogueState } from '../../core/model/dialogue-state.js';
import type { DomainEvent } from '../../core/model/events.js';
import { ErrorCodes } from '../../core/errors.js';
import type { AppendExchange, ConversationStore } from '../../core/ports/conversation-store.js';

// The ConversationStore contract's data: conversations, exchanges and their events at fixed times, fresh ids per test.

export interface ConversationStoreHandle {
  store: ConversationStore;
  dispose?: () => Promise<void>;
  /** Closes the store and opens it again on the same data; given only by adapters that can. */
  reopen?: () => Promise<ConversationStore>;
  /**
   * What the store's relay would deliver for the user now, oldest first (read, not consumed): the events appended with
   * exchanges. After `reopen` it reads the reopened data.
   */
  pendingEvents?: (userId: string) => Promise<DomainEvent[]>;
}

/** The events of one exchange, as the pipeline makes them (a UserInteraction and an AssistantReplied). */
export function eventsOf(c: Pick<Conversation, 'userId' | 'id'>, prefix: string, minutes: number): DomainEvent[] {
  const base = { at: at(minutes), userId: c.userId, conversationId: c.id };
  return [
    {
      ...base,
      id: `${prefix}-ev-u-${randomUUID()}`,
      type: 'UserInteraction',
      turnId: `${prefix}-u`,
      text: `question ${prefix}`,
      inputMode: 'text',
      intent: 'weather.current',
      confidence: 0.9,
    },
    {
      ...base,
      id: `${prefix}-ev-a-${randomUUID()}`,
      type: 'AssistantReplied',
      turnId: `${prefix}-a`,
      route: 'skill',
      skill: 'weather',
      intent: 'weather.current',
      timings: { respond: 1.5 },
    },
  ];
}

const origin = Date.parse('2026-03-01T09:00:00.000Z');
export const at = (minutes: number) => new Date(origin + minutes * 60_000).toISOString();
// Fresh ids per test keep the suite valid against stores shared between tests (a real table, an emulator).
export const newUser = () => `user-${randomUUID()}`;
export const newId = () => `conv-${randomUUID()}`;

export function stateNo(n: number): DialogueState {
  return {
    lastIntent: `intent.${n}`,
    pending: {
      intent: 'weather.current',
      skill: 'weather',
      slot: 'city',
      slots: { units: 'metric', days: n },
      attempts: 1,
    },
    skills: {
      music: {
        queue: [`track-${n}`, 'track-b'],
        playing: { id: `track-${n}`, position: 12.5 },
        shuffle: false,
        note: null,
      },
    },
  };
}

export function conversation(userId: string, id = newId(), minutes = 0, title?: string): Conversation {
  return {
    id,
    userId,
    createdAt: at(minutes),
    updatedAt: at(minutes),
    version: 0,
    turnCount: 0,
    state: stateNo(0),
    ...(title !== undefined && { title }),
  };
}

export function turnPair(prefix: string, minutes: number): [Turn, Turn] {
  return [
    {
      id: `${prefix}-u`,
      role: 'user',
      text: `question ${prefix}`,
      at: at(minutes),
      intent: 'weather.current',
      slots: { city: 'Oslo', days: 2 },
      sentiment: { label: 'neutral', score: 0.1 },
    },
    {
      id: `${prefix}-a`,
      role: 'assistant',
      text: `answer ${prefix}`,
      at: at(minutes),
      intent: 'weather.current',
      skill: 'weather',
      data: { forecast: [{ day: 1, high: 18.5 }], cached: true },
    },
  ];
}

export function exchange(
  c: Pick<Conversation, 'userId' | 'id'>,
  expectedVersion: number,
  prefix: string,
  minutes: number,
  title?: string,
): AppendExchange {
  return {
    userId: c.userId,
    conversationId: c.id,
    expectedVersion,
    turns: turnPair(prefix, minutes),
    state: stateNo(expectedVersion + 1),
    at: at(minutes),
    ...(title !== undefined && { title }),
  };
}

export const aborted = () => AbortSignal.abort(new Error('caller gave up'));
export const isAborted = { code: ErrorCodes.ABORTED };

/** Creates a conversation and appends `exchanges` exchanges to it (two turns each, prefixes e0, e1, ...). */
export async function seeded(
  store: ConversationStore,
  userId: string,
  exchanges: number,
  id = newId(),
): Promise<Conversation> {
  const created = conversation(userId, id);
  await store.create({ conversation: created });
  let current = created;
  for (let i = 0; i < exchanges; i += 1) {
    current = await store.appendExchange(exchange(current, current.version, `${id}-e${i}`, i + 1));
  }
  return current;
}

export const idsOf = (turns: readonly Turn[]) => turns.map((t) => t.id);
export const expectedIds = (id: string, exchanges: number) =>
  Array.from({ length: exchanges }, (_, i) => [`${id}-e${i}-u`, `${id}-e${i}-a`]).flat();
