import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InProcessEventPublisher } from '../../../adapters/local/in-process-event-publisher.js';
import { MemoryOutboxStore } from '../../../adapters/local/memory-outbox-store.js';
import { OutboxEventPublisher } from '../../../adapters/decorators/outbox-event-publisher.js';
import type { OutboxStore } from '../../../adapters/shared/outbox-store.js';
import { openSqliteDatabase, type Database } from '../../../adapters/local/sqlite-database.js';
import { SqliteOutboxStore } from '../../../adapters/local/sqlite-outbox-store.js';
import { MemoryConversationStore } from '../../../adapters/local/memory-conversation-store.js';
import { SqliteConversationStore } from '../../../adapters/local/sqlite-conversation-store.js';
import { DependencyUnavailableError } from '../../../core/errors.js';
import type { DomainEvent } from '../../../core/model/events.js';
import { describeEventPublisherContract } from '../../contract/event-publisher.contract.js';
import { describeEventRelayContract, exchangeWriter, RecordingTransport } from '../../contract/event-relay.contract.js';
import { injectFaults } from '../../doubles/fault-injector.js';

// Listeners of the in-process bus run on microtasks; one macrotask later they have all run.
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

function bus() {
  const inner = new InProcessEventPublisher();
  const seen: DomainEvent[] = [];
  inner.subscribe('*', (event) => void seen.push(event));
  return { inner, seen, received: async () => (await settled(), [...seen]) };
}

describeEventPublisherContract('OutboxEventPublisher (memory outbox, healthy inner)', async () => {
  const { inner, received } = bus();
  return { publisher: new OutboxEventPublisher({ inner, outbox: new MemoryOutboxStore() }), received };
});

describeEventPublisherContract('OutboxEventPublisher (SQLite outbox, inner down once)', async () => {
  const { inner, received } = bus();
  const db = openSqliteDatabase(':memory:');
  // The first batch fails and lands in the outbox; later publishes and `received` drain it in order.
  const faulty = injectFaults(inner).set('publish', { error: new DependencyUnavailableError('bus', 'down'), times: 1 });
  const publisher = new OutboxEventPublisher({ inner: faulty.port, outbox: new SqliteOutboxStore({ db }) });
  return {
    publisher,
    received: async () => {
      await publisher.drain();
      return received();
    },
    dispose: async () => void db.close(),
  };
});

// As the relay of a store's outbox: the conversation store writes a turn's events into it, deliverPending drains it.
describeEventRelayContract('OutboxEventPublisher (MemoryConversationStore outbox)', async () => {
  const store = new MemoryConversationStore();
  const transport = new RecordingTransport();
  const relay = new OutboxEventPublisher({ inner: transport, outbox: store.outbox });
  return {
    relay,
    write: exchangeWriter(store),
    delivered: async () => [...transport.published],
    failTransport: (failing) => void (transport.failing = failing),
    dispose: () => relay.stop(),
  };
});

describeEventRelayContract('OutboxEventPublisher (SqliteConversationStore outbox)', async () => {
  const db = openSqliteDatabase(':memory:');
  const transport = new RecordingTransport();
  const relay = new OutboxEventPublisher({ inner: transport, outbox: new SqliteOutboxStore({ db }) });
  return {
    relay,
    write: exchangeWriter(new SqliteConversationStore({ db })),
    delivered: async () => [...transport.published],
    failTransport: (failing) => void (transport.failing = failing),
    dispose: async () => {
      await relay.stop();
      db.close();
    },
  };
});

const base = { at: '2026-03-01T09:30:00.000Z', userId: 'u1', conversationId: 'c1' };
const event = (id: string): DomainEvent => ({ ...base, type: 'SessionStarted', id });
const ids = (events: readonly DomainEvent[]) => events.map((e) => e.id);

const outboxes: { name: string; make: () => { outbox: OutboxStore; db?: Database } }[] = [
  { name: 'memory', make: () => ({ outbox: new MemoryOutboxStore() }) },
  {
    name: 'SQLite',
    make: () => {
      const db = openSqliteDatabase(':memory:');
      return { outbox: new SqliteOutboxStore({ db }), db };
    },
  },
];

describe.each(outboxes)('OutboxEventPublisher over the $name outbox', ({ make }) => {
  const opened: Database[] = [];
  afterEach(() => {
    for (const db of opened.splice(0)) db.close();
  });
  const setup = () => {
    const { outbox, db } = make();
    if (db) opened.push(db);
    const { inner, seen, received } = bus();
    const faulty = injectFaults(inner);
    const publisher = new OutboxEventPublisher({ inner: faulty.port, outbox, maxBatch: 3 });
    return { outbox, faulty, publisher, seen, received };
  };

  it('keeps events in the outbox while the inner publisher is down, then delivers them once, in order', async () => {
    // Prepare
    const { outbox, faulty, publisher, received } = setup();
    faulty.set('publish', { error: new DependencyUnavailableError('bus', 'down') });

    // Act
    for (let i = 0; i < 4; i += 1) await publisher.publish({ events: [event(`e${i}a`), event(`e${i}b`)] });
    const whileDown = await received();
    const pendingWhileDown = await outbox.size();
    const failedDrain = await publisher.drain();
    faulty.clear();
    const drained = await publisher.drain();
    const again = await publisher.drain();

    // Assess
    expect(whileDown).toEqual([]);
    expect(pendingWhileDown).toBe(8);
    expect(failedDrain).toMatchObject({ delivered: 0, error: expect.any(DependencyUnavailableError) });
    expect(drained).toEqual({ delivered: 8 });
    expect(again).toEqual({ delivered: 0 });
    expect(ids(await received())).toEqual(['e0a', 'e0b', 'e1a', 'e1b', 'e2a', 'e2b', 'e3a', 'e3b']);
    await expect(outbox.size()).resolves.toBe(0);
  });

  it('queues new events behind pending ones instead of letting them overtake', async () => {
    const { faulty, publisher, received } = setup();
    faulty.set('publish', { error: new DependencyUnavailableError('bus', 'down'), times: 1 });
    await publisher.publish({ events: [event('old')] });
    await publisher.publish({ events: [event('new')] });
    expect(ids(await received())).toEqual(['old', 'new']);
  });

  it('stops a drain at the first failure and resumes from the same event', async () => {
    const { outbox, faulty, publisher, received } = setup();
    faulty.set('publish', { error: new DependencyUnavailableError('bus', 'down') });
    await publisher.publish({ events: ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(event) });
    faulty.clear().set('publish', { error: new DependencyUnavailableError('bus', 'down again'), times: 1 });
    // With the fault for one call left, the first batch of 3 fails and nothing is removed.
    await expect(publisher.drain()).resolves.toMatchObject({ delivered: 0 });
    await expect(outbox.size()).resolves.toBe(7);
    await expect(publisher.drain()).resolves.toEqual({ delivered: 7 });
    expect(ids(await received())).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('relays what a store wrote into the outbox when nudged, also when a drain was already running', async () => {
    // Prepare: a store's write lands in the outbox while a drain is in flight (it has already peeked).
    const { outbox, publisher, received } = setup();
    await outbox.append([event('first')]);
    const running = publisher.drain();
    await outbox.append([event('written-with-a-turn')]);

    // Act
    const relayed = await publisher.deliverPending();
    await running;

    // Assess
    expect(relayed).toBe(true);
    expect(ids(await received())).toEqual(['first', 'written-with-a-turn']);
    await expect(outbox.size()).resolves.toBe(0);
  });

  it('reports a nudge the transport refused as false and keeps the events for the next round', async () => {
    const { outbox, faulty, publisher, received } = setup();
    faulty.set('publish', { error: new DependencyUnavailableError('bus', 'down'), times: 1 });
    await outbox.append([event('kept')]);
    await expect(publisher.deliverPending()).resolves.toBe(false);
    await expect(outbox.size()).resolves.toBe(1);
    await expect(publisher.deliverPending()).resolves.toBe(true);
    expect(ids(await received())).toEqual(['kept']);
  });

  it('does not queue an event twice when the same batch is appended again', async () => {
    const { outbox } = setup();
    await outbox.append([event('x'), event('y')]);
    await outbox.append([event('y'), event('z')]);
    expect((await outbox.peek(10)).map((e) => e.event.id)).toEqual(['x', 'y', 'z']);
  });

  it('retries on its own once started, and stops retrying when stopped', async () => {
    const { outbox, db } = make();
    if (db) opened.push(db);
    const { inner, received } = bus();
    const faulty = injectFaults(inner).set('publish', { error: new DependencyUnavailableError('bus', 'down') });
    const publisher = new OutboxEventPublisher({ inner: faulty.port, outbox, retryIntervalMs: 10 });
    publisher.start();
    await publisher.publish({ events: [event('timed')] });
    faulty.clear();
    await vi.waitFor(async () => expect(ids(await received())).toEqual(['timed']), { timeout: 2000, interval: 10 });
    await publisher.stop();
    const callsAfterStop = faulty.calls('publish');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(faulty.calls('publish')).toBe(callsAfterStop);
  });

  it('rejects when the outbox is down as well, so the caller knows the events are lost', async () => {
    const { outbox, faulty } = setup();
    faulty.set('publish', { error: new DependencyUnavailableError('bus', 'down') });
    const broken = injectFaults(outbox).set('append', { error: new DependencyUnavailableError('outbox', 'disk full') });
    const fragile = new OutboxEventPublisher({ inner: faulty.port, outbox: broken.port });
    await fragile.drain();
    await expect(fragile.publish({ events: [event('lost')] })).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});

describe('SqliteOutboxStore', () => {
  it('keeps pending events across a restart of the process', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    const path = join(dir, 'assistant.db');
    try {
      const first = openSqliteDatabase(path);
      const down = injectFaults(new InProcessEventPublisher()).set('publish', {
        error: new DependencyUnavailableError('bus', 'down'),
      });
      const before = new OutboxEventPublisher({ inner: down.port, outbox: new SqliteOutboxStore({ db: first }) });
      await before.drain();
      await before.publish({ events: [event('r1'), event('r2')] });
      first.close();

      // Act
      const second = openSqliteDatabase(path);
      const { inner, received } = bus();
      const after = new OutboxEventPublisher({ inner, outbox: new SqliteOutboxStore({ db: second }) });
      await after.publish({ events: [event('r3')] });

      // Assess
      expect(ids(await received())).toEqual(['r1', 'r2', 'r3']);
      await expect(after.pending()).resolves.toBe(0);
      second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
