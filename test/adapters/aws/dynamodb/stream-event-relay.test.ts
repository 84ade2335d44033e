import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDbConversationStore } from '../../../../adapters/aws/dynamodb/dynamodb-conversation-store.js';
import { PipeEventRelay } from '../../../../adapters/aws/dynamodb/pipe-event-relay.js';
import { DynamoDbStreamEventRelay, type StreamStart } from '../../../../adapters/aws/dynamodb/stream-event-relay.js';
import type { Conversation, Turn } from '../../../../core/model/conversation.js';
import { emptyDialogueState } from '../../../../core/model/dialogue-state.js';
import type { DomainEvent } from '../../../../core/model/events.js';
import type { EventPublisher } from '../../../../core/ports/event-publisher.js';
import { InProcessEventPublisher } from '../../../../adapters/local/in-process-event-publisher.js';
import { loadConfig } from '../../../../entrypoints/composition/config.js';
import { createContainer } from '../../../../entrypoints/composition/container.js';
import { createLogger } from '../../../../entrypoints/composition/logger.js';
import {
  describeEventRelayContract,
  exchangeWriter,
  RecordingTransport as ContractTransport,
} from '../../../contract/event-relay.contract.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../../fakes/aws/dynamodb-local.js';
import { EventPipeFake } from '../../../fakes/aws/event-pipe-fake.js';
import { createTestTable, type TestTable } from '../../../fakes/aws/dynamodb-test-table.js';
import { TEST_AWS_CLIENT_CONFIG } from '../../../fakes/aws/fake-aws-server.js';

/*
 * The stream relay against DynamoDB Local's own stream of a table made from dynamoDbTableDefinition (NEW_IMAGE):
 * turns stored through the real store end as their domain events on a recording transport.
 */

let local: DynamoDbLocal;
let streams: DynamoDBStreamsClient;
const relays: DynamoDbStreamEventRelay[] = [];
const tables: TestTable[] = [];

beforeAll(async () => {
  local = await startDynamoDbLocal();
  streams = new DynamoDBStreamsClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: local.endpoint });
}, 60_000);

afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.stop()));
});

afterAll(async () => {
  for (const table of tables) await table.drop();
  streams?.destroy();
  await local?.stop();
});

class RecordingTransport implements EventPublisher {
  readonly published: DomainEvent[] = [];
  failures = 0;
  async publish({ events }: { events: readonly DomainEvent[] }): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('bus down');
    }
    this.published.push(...events);
  }
}

const warnings: string[] = [];
const telemetry = { warn: (message: string) => void warnings.push(message), error: () => undefined };

// Now, not a fixed date: DynamoDB Local runs TTL, and would delete items whose expiry lies in the real past.
const at = new Date().toISOString();

async function setup() {
  const table = await createTestTable(local.endpoint);
  tables.push(table);
  const store = new DynamoDbConversationStore({
    client: table.client,
    tableName: table.tableName,
    clock: new FixedClock(new Date(at)),
    eventSource: 'assistant-test',
  });
  const conversation: Conversation = {
    id: `conv-${randomUUID()}`,
    userId: `user-${randomUUID()}`,
    createdAt: at,
    updatedAt: at,
    version: 0,
    turnCount: 0,
    state: emptyDialogueState(),
  };
  await store.create({ conversation });
  let version = 0;
  /** Stores one exchange (a user turn and a reply) with its two events, as the turn pipeline does. */
  const storeTurn = async (): Promise<DomainEvent[]> => {
    const [userTurn, reply] = [`t-${randomUUID()}`, `t-${randomUUID()}`];
    const base = { at, userId: conversation.userId, conversationId: conversation.id };
    const events: DomainEvent[] = [
      {
        ...base,
        type: 'UserInteraction',
        id: `ev-${randomUUID()}`,
        turnId: userTurn,
        text: 'what time is it',
        inputMode: 'text',
        intent: 'time',
        confidence: 0.9,
      },
      {
        ...base,
        type: 'AssistantReplied',
        id: `ev-${randomUUID()}`,
        turnId: reply,
        route: 'skill',
        intent: 'time',
        timings: { totalMs: 12 },
      },
    ];
    const turns: Turn[] = [
      { id: userTurn, role: 'user', text: 'what time is it', at },
      { id: reply, role: 'assistant', text: 'It is half past nine.', at },
    ];
    await store.appendExchange({
      userId: conversation.userId,
      conversationId: conversation.id,
      expectedVersion: version,
      turns,
      state: emptyDialogueState(),
      at,
      events,
    });
    version += 1;
    return events;
  };
  const transport = new RecordingTransport();
  const relayWith = (start: StreamStart, idleMs = { minIdleMs: 20, maxIdleMs: 100 }) => {
    const relay = new DynamoDbStreamEventRelay({
      tableName: table.tableName,
      transport,
      telemetry,
      start,
      client: streams,
      ...idleMs,
    });
    relays.push(relay);
    return relay;
  };
  return { storeTurn, transport, relayWith };
}

async function until(condition: () => boolean, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ids = (events: readonly DomainEvent[]) => events.map((event) => event.id);

describe('DynamoDbStreamEventRelay (DynamoDB Local stream)', () => {
  it('delivers the events of stored turns once each, in order, as the Pipe maps them; other items are not events', async () => {
    const { storeTurn, transport, relayWith } = await setup();
    const relay = relayWith('latest');
    expect(await relay.deliverPending()).toBe(true); // opens the shards at LATEST
    const written = [...(await storeTurn()), ...(await storeTurn()), ...(await storeTurn())];
    expect(await relay.deliverPending()).toBe(true);
    expect(transport.published).toEqual(written);
    // More rounds, in the background too, deliver nothing again.
    relay.startPolling();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await relay.deliverPending()).toBe(true);
    expect(ids(transport.published)).toEqual(ids(written));
  });

  it('polls by itself once started: a turn stored later reaches the transport without deliverPending', async () => {
    const { storeTurn, transport, relayWith } = await setup();
    const relay = relayWith('trim-horizon');
    relay.startPolling();
    const written = await storeTurn();
    await until(() => transport.published.length === written.length);
    const more = await storeTurn();
    await until(() => transport.published.length === written.length + more.length);
    expect(ids(transport.published)).toEqual(ids([...written, ...more]));
  });

  it('with trim-horizon delivers the events written while no relay ran; with latest those are lost', async () => {
    const { storeTurn, transport, relayWith } = await setup();
    const beforeStart = [...(await storeTurn()), ...(await storeTurn())];
    const latest = relayWith('latest');
    expect(await latest.deliverPending()).toBe(true);
    expect(transport.published).toEqual([]);
    await latest.stop();

    const fromHorizon = relayWith('trim-horizon');
    fromHorizon.startPolling();
    await until(() => transport.published.length === beforeStart.length);
    const after = await storeTurn();
    await until(() => transport.published.length === beforeStart.length + after.length);
    expect(ids(transport.published)).toEqual(ids([...beforeStart, ...after]));
  });

  it('keeps a batch the transport refused and delivers it on the next round, then goes on after it', async () => {
    const { storeTurn, transport, relayWith } = await setup();
    const relay = relayWith('trim-horizon');
    const first = await storeTurn();
    transport.failures = 1;
    expect(await relay.deliverPending()).toBe(false);
    expect(transport.published).toEqual([]);
    expect(await relay.deliverPending()).toBe(true);
    const second = await storeTurn();
    expect(await relay.deliverPending()).toBe(true);
    expect(ids(transport.published)).toEqual(ids([...first, ...second]));
  });

  it('stops cleanly: a long idle pause is cut short, nothing is read after stop, and stop may be called again', async () => {
    const { storeTurn, transport, relayWith } = await setup();
    const neverStarted = relayWith('latest');
    await neverStarted.stop();

    const relay = relayWith('trim-horizon', { minIdleMs: 5_000, maxIdleMs: 5_000 });
    await storeTurn();
    relay.startPolling();
    await until(() => transport.published.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100)); // now in its 5 s pause after an empty round
    const started = Date.now();
    await relay.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    await storeTurn();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(transport.published).toHaveLength(2);
    await relay.stop();
  });
});

/** A fresh table and the real store writing its turns' event items, for one contract case. */
async function storeTable() {
  const table = await createTestTable(local.endpoint);
  tables.push(table);
  const store = new DynamoDbConversationStore({ client: table.client, tableName: table.tableName });
  return { table, write: exchangeWriter(store) };
}

describeEventRelayContract('DynamoDbStreamEventRelay (DynamoDB Local stream, trim-horizon)', async () => {
  const { table, write } = await storeTable();
  const transport = new ContractTransport();
  const relay = new DynamoDbStreamEventRelay({
    tableName: table.tableName,
    transport,
    telemetry,
    start: 'trim-horizon',
    client: streams,
  });
  return {
    relay,
    write,
    delivered: async () => [...transport.published],
    failTransport: (failing) => void (transport.failing = failing),
    dispose: () => relay.stop(),
  };
});

// The Pipe relays outside the process: deliverPending only answers true, and the Pipe fake (a scan standing in for
// the stream and the Pipe) is what hands the event items to the transport, in `settle`.
describeEventRelayContract('PipeEventRelay (EventBridge Pipe fake over DynamoDB Local)', async () => {
  const { table, write } = await storeTable();
  const transport = new ContractTransport();
  const pipe = EventPipeFake.toPublisher(table.client, table.tableName, transport);
  return {
    relay: new PipeEventRelay(),
    write,
    delivered: async () => [...transport.published],
    settle: async () => {
      if (!(await pipe.deliverPending())) throw new Error('the Pipe fake could not deliver');
    },
  };
});

describe('EVENT_RELAY in the aws profile', () => {
  it('stream: the container reads the table stream into the transport, and stops the relay when unbound', async () => {
    const table = await createTestTable(local.endpoint);
    tables.push(table);
    const dataDir = await mkdtemp(join(tmpdir(), 'stream-relay-'));
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test-secret');
    const env = {
      CONVERSATION_STORE: 'dynamodb',
      EVENTS: 'in-process',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: local.endpoint,
      DYNAMODB_TABLE: table.tableName,
      DATA_DIR: dataDir,
    };
    const piped = await createContainer(loadConfig(env), { logger: createLogger('silent') });
    expect((await piped.getAsync('eventRelay'))?.constructor.name).toBe('PipeEventRelay');
    await piped.unbindAllAsync();

    const container = await createContainer(loadConfig({ ...env, EVENT_RELAY: 'stream' }), {
      logger: createLogger('silent'),
    });
    try {
      const relay = await container.getAsync('eventRelay');
      if (!relay) throw new Error('EVENTS=in-process binds a relay');
      expect(relay.constructor.name).toBe('DynamoDbStreamEventRelay');
      const transport = await container.getAsync('eventTransport');
      if (!(transport instanceof InProcessEventPublisher)) throw new Error('EVENTS=in-process binds no in-process bus');
      const received: DomainEvent[] = [];
      transport.subscribe('*', (event) => void received.push(event));
      const store = await container.getAsync('conversationStore');
      const conversation: Conversation = {
        id: `conv-${randomUUID()}`,
        userId: `user-${randomUUID()}`,
        createdAt: at,
        updatedAt: at,
        version: 0,
        turnCount: 0,
        state: emptyDialogueState(),
      };
      await store.create({ conversation });
      const event: DomainEvent = {
        type: 'SystemError',
        id: `ev-${randomUUID()}`,
        at,
        userId: conversation.userId,
        conversationId: conversation.id,
        code: 'LLM_UNAVAILABLE',
        step: 'llm',
        message: 'model down',
      };
      await store.appendExchange({
        userId: conversation.userId,
        conversationId: conversation.id,
        expectedVersion: 0,
        turns: [{ id: `t-${randomUUID()}`, role: 'user', text: 'hello', at }],
        state: emptyDialogueState(),
        at,
        events: [event],
      });
      await until(() => received.length === 1);
      expect(received).toEqual([event]);

      // Unbound, the relay reads no more: a turn stored afterwards reaches no listener.
      await container.unbindAllAsync();
      const after = new DynamoDbConversationStore({ client: table.client, tableName: table.tableName });
      await after.appendExchange({
        userId: conversation.userId,
        conversationId: conversation.id,
        expectedVersion: 1,
        turns: [{ id: `t-${randomUUID()}`, role: 'user', text: 'again', at }],
        state: emptyDialogueState(),
        at,
        events: [{ ...event, id: `ev-${randomUUID()}` }],
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(received).toHaveLength(1);
    } finally {
      await container.unbindAllAsync();
      vi.unstubAllEnvs();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
