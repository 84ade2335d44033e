import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../core/model/conversation.js';
import { emptyDialogueState } from '../../core/model/dialogue-state.js';
import type { DomainEvent } from '../../core/model/events.js';
import type { ConversationStore } from '../../core/ports/conversation-store.js';
import type { EventPublisher } from '../../core/ports/event-publisher.js';
import type { EventRelay } from '../../core/ports/event-relay.js';
import { managedFactory } from './harness.js';

export interface EventRelayHandle {
  relay: EventRelay;
  /** Puts events into the outbox the relay reads, exactly as the conversation store does with a turn. */
  write: (events: readonly DomainEvent[]) => Promise<void>;
  /** Every event that reached the transport so far, in the order it arrived. */
  delivered: () => Promise<DomainEvent[]>;
  /**
   * Makes the transport refuse (true) or accept (false) what it is handed. Only for relays that deliver in this
   * process; a relay that runs elsewhere (the Pipe) cannot see its transport fail.
   */
  failTransport?: (failing: boolean) => void;
  /** Waits until a relay that delivers outside `deliverPending` (the Pipe) has handed over what was written. */
  settle?: () => Promise<void>;
  dispose?: () => Promise<void>;
}

/** A transport that records what it accepted and, while told to fail, refuses every batch. */
export class RecordingTransport implements EventPublisher {
  readonly published: DomainEvent[] = [];
  failing = false;

  async publish({ events }: { events: readonly DomainEvent[] }): Promise<void> {
    if (this.failing) throw new Error('transport down');
    this.published.push(...events);
  }
}

/**
 * `write` for a handle whose relay reads a conversation store's outbox: each call appends one exchange (a user turn)
 * carrying the events to the conversation they name, created on its first write, as the turn pipeline does.
 */
export function exchangeWriter(store: ConversationStore): (events: readonly DomainEvent[]) => Promise<void> {
  const versions = new Map<string, number>();
  return async (events) => {
    const [first] = events;
    if (!first) return;
    const { userId, conversationId } = first;
    const key = `${userId}|${conversationId}`;
    // Now, not a fixed date: DynamoDB Local runs TTL and would delete items whose expiry lies in the real past.
    const at = new Date().toISOString();
    let version = versions.get(key);
    if (version === undefined) {
      const conversation: Conversation = {
        id: conversationId,
        userId,
        createdAt: at,
        updatedAt: at,
        version: 0,
        turnCount: 0,
        state: emptyDialogueState(),
      };
      await store.create({ conversation });
      version = 0;
    }
    await store.appendExchange({
      userId,
      conversationId,
      expectedVersion: version,
      turns: [{ id: `turn-${randomUUID()}`, role: 'user', text: 'what time is it', at }],
      state: emptyDialogueState(),
      at,
      events,
    });
    versions.set(key, version + 1);
  };
}

/** Events of one conversation per test, so a store that keys events by conversation keeps them together. */
function eventsOf(conversation: { userId: string; conversationId: string }) {
  let turn = 0;
  return (size: number): DomainEvent[] =>
    Array.from({ length: size }, (_, i): DomainEvent => {
      const base = { id: `evt-${randomUUID()}`, at: new Date().toISOString(), ...conversation };
      turn += 1;
      return i % 2 === 0
        ? {
            ...base,
            type: 'UserInteraction',
            turnId: `turn-${turn}`,
            text: 'what time is it',
            inputMode: 'text',
            intent: 'time',
            confidence: 0.9,
          }
        : { ...base, type: 'AssistantReplied', turnId: `turn-${turn}`, route: 'skill', intent: 'time', timings: {} };
    });
}

const ids = (events: readonly DomainEvent[]) => events.map((event) => event.id);
/** Ids in the order they first arrived: delivery is at least once, and consumers deduplicate by id. */
const firstArrivals = (events: readonly DomainEvent[]) => [...new Set(ids(events))];

/** The EventRelay contract every adapter must pass; `make` builds a fresh relay, its outbox and its transport per test. */
export function describeEventRelayContract(name: string, make: () => Promise<EventRelayHandle>): void {
  describe(`EventRelay contract: ${name}`, () => {
    const setup = managedFactory(make);
    const fresh = () => eventsOf({ userId: `user-${randomUUID()}`, conversationId: `conv-${randomUUID()}` });
    /** deliverPending, then whatever the relay needs to have handed over; returns what deliverPending resolved. */
    const deliver = async (handle: EventRelayHandle): Promise<boolean> => {
      const outcome = await handle.relay.deliverPending();
      await handle.settle?.();
      return outcome;
    };

    it('delivers written events after deliverPending, once each, in the order written', async () => {
      const handle = await setup();
      const written = fresh()(3);
      await handle.write(written);
      expect(await deliver(handle)).toBe(true);
      expect(await handle.delivered()).toEqual(written);
      // Asking again delivers nothing twice.
      expect(await deliver(handle)).toBe(true);
      expect(ids(await handle.delivered())).toEqual(ids(written));
    });

    it('resolves true and delivers nothing when nothing is pending', async () => {
      const handle = await setup();
      expect(await deliver(handle)).toBe(true);
      expect(await handle.delivered()).toEqual([]);
    });

    it('keeps the order of events across writes, and delivers each once', async () => {
      const handle = await setup();
      const batch = fresh();
      const [first, second, third] = [batch(2), batch(2), batch(1)];
      await handle.write(first);
      await handle.write(second);
      expect(await deliver(handle)).toBe(true);
      await handle.write(third);
      expect(await deliver(handle)).toBe(true);
      expect(ids(await handle.delivered())).toEqual(ids([...first, ...second, ...third]));
    });

    it('delivers each event once when deliverPending is called twice at the same time', async () => {
      const handle = await setup();
      const written = fresh()(2);
      await handle.write(written);
      expect(await Promise.all([handle.relay.deliverPending(), handle.relay.deliverPending()])).toEqual([true, true]);
      await handle.settle?.();
      expect(ids(await handle.delivered())).toEqual(ids(written));
    });

    it('resolves false without rejecting while the transport fails, keeps the events, and delivers them all after recovery', async ({
      skip,
    }) => {
      const handle = await setup();
      const { failTransport } = handle;
      if (!failTransport)
        return skip('the relay runs outside this process: deliverPending cannot see its transport fail');
      const batch = fresh();
      const before = batch(2);
      await handle.write(before);
      failTransport(true);
      await expect(handle.relay.deliverPending()).resolves.toBe(false);
      const during = batch(2);
      await handle.write(during);
      await expect(handle.relay.deliverPending()).resolves.toBe(false);
      expect(await handle.delivered()).toEqual([]);

      failTransport(false);
      expect(await deliver(handle)).toBe(true);
      expect(firstArrivals(await handle.delivered())).toEqual(ids([...before, ...during]));
    });

    it('does not reject when the caller has already given up, and loses nothing by it', async () => {
      const handle = await setup();
      const written = fresh()(2);
      await handle.write(written);
      await expect(handle.relay.deliverPending({ signal: AbortSignal.abort() })).resolves.toEqual(expect.any(Boolean));
      expect(await deliver(handle)).toBe(true);
      expect(firstArrivals(await handle.delivered())).toEqual(ids(written));
    });
  });
}
