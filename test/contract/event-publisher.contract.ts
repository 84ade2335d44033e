import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../core/errors.js';
import type { DomainEvent, DomainEventType } from '../../core/model/events.js';
import type { EventPublisher } from '../../core/ports/event-publisher.js';
import { managedFactory } from './harness.js';

export interface EventPublisherHandle {
  publisher: EventPublisher;
  /** Every event delivered so far, once the transport has handed over what it accepted. */
  received: () => Promise<DomainEvent[]>;
  dispose?: () => Promise<void>;
}

type EventOfType<K extends DomainEventType> = Extract<DomainEvent, { type: K }>;

/** One fully populated sample per event type; the mapped type stops compiling when core/events.ts gains a type. */
function samples(): { [K in DomainEventType]: EventOfType<K> } {
  const base = () => ({
    id: `evt-${randomUUID()}`,
    at: '2026-03-01T09:30:00.000Z',
    userId: 'user-1',
    conversationId: 'conv-1',
  });
  return {
    SessionStarted: { ...base(), type: 'SessionStarted' },
    UserInteraction: {
      ...base(),
      type: 'UserInteraction',
      turnId: 'turn-1',
      text: 'what is the weather in Oslo',
      inputMode: 'audio',
      intent: 'weather.current',
      confidence: 0.93,
      sentiment: { label: 'neutral', score: 0.05 },
    },
    AssistantReplied: {
      ...base(),
      type: 'AssistantReplied',
      turnId: 'turn-2',
      route: 'skill',
      skill: 'weather',
      intent: 'weather.current',
      timings: { understand: 3.5, respond: 12, total: 20.25 },
    },
    SystemError: {
      ...base(),
      type: 'SystemError',
      code: 'LLM_UNAVAILABLE',
      step: 'respond',
      message: 'model: 503 "busy"',
    },
  };
}

function batch(size: number): DomainEvent[] {
  const kinds = Object.values(samples());
  return Array.from({ length: size }, (_, i) => ({ ...kinds[i % kinds.length]!, id: `evt-${randomUUID()}` }));
}

const byId = (a: DomainEvent, b: DomainEvent) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Only the events this test published, so a transport shared between tests cannot confuse the counts. */
async function deliveredOf(
  received: () => Promise<DomainEvent[]>,
  sent: readonly DomainEvent[],
): Promise<DomainEvent[]> {
  const ids = new Set(sent.map((e) => e.id));
  return (await received()).filter((e) => ids.has(e.id)).sort(byId);
}

/** The EventPublisher contract every adapter must pass; `make` builds a fresh publisher and its receiving end per test. */
export function describeEventPublisherContract(name: string, make: () => Promise<EventPublisherHandle>): void {
  describe(`EventPublisher contract: ${name}`, () => {
    const setup = managedFactory(make);

    it('delivers every event type with its payload intact', async () => {
      const { publisher, received } = await setup();
      const events = Object.values(samples());
      await publisher.publish({ events });
      await expect(deliveredOf(received, events)).resolves.toEqual([...events].sort(byId));
    });

    it.each([1, 10, 25])('delivers a batch of %i exactly once', async (size) => {
      const { publisher, received } = await setup();
      const events = batch(size);
      await publisher.publish({ events });
      const delivered = await deliveredOf(received, events);
      expect(delivered.map((e) => e.id)).toEqual(events.map((e) => e.id).sort());
      expect(delivered).toEqual([...events].sort(byId));
    });

    it('delivers consecutive batches without losing or repeating any', async () => {
      const { publisher, received } = await setup();
      const first = batch(3);
      const second = batch(4);
      await publisher.publish({ events: first });
      await publisher.publish({ events: second });
      const all = [...first, ...second];
      await expect(deliveredOf(received, all).then((d) => d.map((e) => e.id))).resolves.toEqual(
        all.map((e) => e.id).sort(),
      );
    });

    it('delivers the event as it was when published, whatever the caller does to it afterwards', async () => {
      const { publisher, received } = await setup();
      const event = samples().UserInteraction;
      const snapshot = structuredClone(event);
      await publisher.publish({ events: [event] });
      event.text = 'mutated after publish';
      event.sentiment = { label: 'negative', score: -1 };
      await expect(deliveredOf(received, [snapshot])).resolves.toEqual([snapshot]);
    });

    it('treats an empty batch as a no-op', async () => {
      const { publisher, received } = await setup();
      const before = (await received()).length;
      await expect(publisher.publish({ events: [] })).resolves.toBeUndefined();
      await expect(received().then((all) => all.length)).resolves.toBe(before);
    });

    it('rejects with AbortedError and publishes nothing when the signal has already fired', async () => {
      const { publisher, received } = await setup();
      const events = batch(2);
      const controller = new AbortController();
      controller.abort();
      await expect(publisher.publish({ events, signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
      await expect(deliveredOf(received, events)).resolves.toEqual([]);
    });
  });
}
