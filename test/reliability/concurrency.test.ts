import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbConversationStore } from '../../adapters/aws/dynamodb/dynamodb-conversation-store.js';
import { OutboxEventPublisher } from '../../adapters/decorators/outbox-event-publisher.js';
import { InProcessEventPublisher } from '../../adapters/local/in-process-event-publisher.js';
import { SqliteOutboxStore } from '../../adapters/local/sqlite-outbox-store.js';
import { MemoryConversationStore } from '../../adapters/local/memory-conversation-store.js';
import { MemoryAudioStore } from '../../adapters/local/memory-audio-store.js';
import { MemoryUserProfileStore } from '../../adapters/local/memory-user-profile-store.js';
import { openSqliteDatabase, type Database } from '../../adapters/local/sqlite-database.js';
import { SqliteConversationStore } from '../../adapters/local/sqlite-conversation-store.js';
import type { Turn } from '../../core/model/conversation.js';
import { createPreferencesReader } from '../../core/conversation/preferences.js';
import { emptyDialogueState } from '../../core/model/dialogue-state.js';
import { VersionConflictError } from '../../core/errors.js';
import type { DomainEvent } from '../../core/model/events.js';
import { createTurnPipeline, type HandleTurn } from '../../core/pipeline/turn-pipeline.js';
import { systemClock } from '../../core/defaults.js';
import type { ConversationStore } from '../../core/ports/conversation-store.js';
import type { EventPublisher } from '../../core/ports/event-publisher.js';
import type { EventRelay } from '../../core/ports/event-relay.js';
import type { Skill } from '../../core/ports/skill.js';
import { noopTelemetry } from '../../core/defaults.js';
import { type Telemetry } from '../../core/ports/telemetry.js';
import { SkillRegistry } from '../../core/skills/skill-registry.js';
import { walkPages } from '../contract/harness.js';
import { PatternLanguageUnderstanding } from '../doubles/pattern-language-understanding.js';
import { ScriptedLanguageModel } from '../doubles/scripted-language-model.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../fakes/aws/dynamodb-local.js';
import { createTestTable, testDocumentClient, type TestTable } from '../fakes/aws/dynamodb-test-table.js';
import { EventPipeFake } from '../fakes/aws/event-pipe-fake.js';

/** Stores that several pipelines can share; `connect` opens a new connection to the same data, as another process would. */
interface SharedStore {
  connect(): ConversationStore;
  /** The one relay of the shared data's outbox, delivering to `bus` (one per deployment, as in production). */
  relay(bus: EventPublisher): EventRelay;
  dispose(): Promise<void>;
}

interface StoreFactory {
  name: string;
  /** Suite-wide setup (an emulator process), run once before the store's tests. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
  open(): Promise<SharedStore>;
}

const memory: StoreFactory = {
  name: 'MemoryConversationStore',
  open: async () => {
    // One process only: both "connections" are the same object, so the pipelines share data but not their mutex.
    const store = new MemoryConversationStore();
    return {
      connect: () => store,
      relay: (bus) => new OutboxEventPublisher({ inner: bus, outbox: store.outbox }),
      dispose: async () => undefined,
    };
  },
};

const sqliteFile: StoreFactory = {
  name: 'SqliteConversationStore (one file, a connection per pipeline)',
  open: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'concurrency-'));
    const databases: Database[] = [];
    return {
      connect: () => {
        const db = openSqliteDatabase(join(dir, 'assistant.db'));
        databases.push(db);
        return new SqliteConversationStore({ db });
      },
      relay: (bus) => {
        const db = openSqliteDatabase(join(dir, 'assistant.db'));
        databases.push(db);
        return new OutboxEventPublisher({ inner: bus, outbox: new SqliteOutboxStore({ db }) });
      },
      dispose: async () => {
        for (const db of databases) db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

function dynamoDbLocal(): StoreFactory {
  let local: DynamoDbLocal | undefined;
  return {
    name: 'DynamoDbConversationStore on DynamoDB Local (a client per pipeline)',
    start: async () => {
      local = await startDynamoDbLocal();
    },
    stop: async () => local?.stop(),
    open: async () => {
      if (!local) throw new Error('DynamoDB Local is not running');
      const endpoint = local.endpoint;
      const table: TestTable = await createTestTable(endpoint);
      const clients = [table.client];
      return {
        connect: () => {
          const client = testDocumentClient(endpoint);
          clients.push(client);
          return new DynamoDbConversationStore({ client, tableName: table.tableName });
        },
        relay: (bus) => EventPipeFake.toPublisher(table.client, table.tableName, bus),
        dispose: async () => {
          await table.drop();
          for (const client of clients.slice(1)) client.destroy();
        },
      };
    },
  };
}

/** Every store the concurrency properties run against; one line per store. */
const factories: StoreFactory[] = [memory, sqliteFile, dynamoDbLocal()];

/**
 * Counts what it is told: each tally turn appends its item to the skill's state and says how many it has seen, so a
 * lost update shows as a missing item or a repeated number. It yields once, as a real skill awaiting I/O would,
 * to let concurrent turns interleave.
 */
const tallySkill: Skill = {
  name: 'tally',
  description: 'counts the items it is told',
  intents: [
    { name: 'tally.add', utterances: ['tally {item}'], slots: [{ name: 'item', entity: 'text', required: true }] },
  ],
  async handle(context) {
    await new Promise((resolve) => setImmediate(resolve));
    const items = [...((context.state.items as string[] | undefined) ?? []), String(context.slots.item)];
    return { text: `tallied ${String(context.slots.item)} as #${items.length}`, state: { items } };
  },
};

interface Pipeline {
  handleTurn: HandleTurn;
  conflicts: () => number;
}

async function pipelineOver(
  store: ConversationStore,
  events: InProcessEventPublisher,
  relay: EventRelay,
): Promise<Pipeline> {
  const registry = new SkillRegistry([tallySkill]);
  let conflicts = 0;
  const telemetry: Telemetry = {
    ...noopTelemetry,
    metric: (name, value) => {
      if (name === 'TurnVersionConflict') conflicts += value;
    },
  };
  const handleTurn = createTurnPipeline({
    registry,
    nlu: new PatternLanguageUnderstanding(await registry.trainingSet('en')),
    model: new ScriptedLanguageModel(),
    conversations: store,
    relay,
    preferences: createPreferencesReader(new MemoryUserProfileStore(), {
      language: 'en-US',
      units: 'metric',
      timeZone: 'UTC',
    }),
    events,
    clock: systemClock,
    telemetry,
    newId: randomUUID,
    audio: new MemoryAudioStore({ clock: systemClock }),
    // The production value (entrypoints/composition/core-module.ts).
    options: {
      historyWindow: 10,
      systemPrompt: 'test',
      maxTokens: 64,
      temperature: 0,
      maxTextLength: 2000,
      maxConflictRetries: 5,
    },
  });
  return { handleTurn, conflicts: () => conflicts };
}

const TURNS = 50;

describe.each(factories)('50 concurrent turns on one conversation: $name', (factory) => {
  beforeAll(async () => factory.start?.(), 60_000);
  afterAll(async () => factory.stop?.());

  /**
   * Runs the turns spread over `pipelines`, all at once; a turn that still conflicts after the pipeline's own retries
   * is retried as a client would a 409.
   */
  async function run(pipelineCount: number) {
    const shared = await factory.open();
    try {
      const userId = `user-${randomUUID()}`;
      const conversationId = `conv-${randomUUID()}`;
      const at = new Date().toISOString();
      const first = shared.connect();
      await first.create({
        conversation: {
          id: conversationId,
          userId,
          createdAt: at,
          updatedAt: at,
          version: 0,
          turnCount: 0,
          state: emptyDialogueState(),
        },
      });
      const events: DomainEvent[] = [];
      const bus = new InProcessEventPublisher();
      bus.subscribe('UserInteraction', (event) => void events.push(event));
      const relay = shared.relay(bus);
      const pipelines = [await pipelineOver(first, bus, relay)];
      while (pipelines.length < pipelineCount) pipelines.push(await pipelineOver(shared.connect(), bus, relay));
      const items = Array.from({ length: TURNS }, (_, i) => `item-${String(i).padStart(2, '0')}`);
      let clientRetries = 0;
      const say = async (item: string, index: number) => {
        const pipeline = pipelines[index % pipelines.length]!;
        for (let attempt = 1; ; attempt += 1) {
          try {
            return await pipeline.handleTurn({
              userId,
              conversationId,
              input: { kind: 'text', text: `tally ${item}` },
            });
          } catch (error) {
            if (!(error instanceof VersionConflictError) || attempt === 20) throw error;
            clientRetries += 1;
          }
        }
      };
      const replies = await Promise.all(items.map((item, index) => say(item, index)));
      await relay.deliverPending();
      await new Promise((resolve) => setImmediate(resolve));
      const reader = shared.connect();
      const conversation = await reader.get({ userId, conversationId });
      const { items: turns } = await walkPages(
        (cursor) => reader.turns({ userId, conversationId, limit: 7, ...(cursor && { cursor }) }),
        100,
      );
      const conflicts = pipelines.reduce((sum, p) => sum + p.conflicts(), 0);
      return { items, replies, conversation, turns, events, conflicts, clientRetries };
    } finally {
      await shared.dispose();
    }
  }

  function expectConsistent(outcome: Awaited<ReturnType<typeof run>>) {
    const { items, replies, conversation, turns, events } = outcome;
    // Every turn stored exactly once, paired and in order: user, then the reply computed on top of everything before it.
    expect(turns).toHaveLength(TURNS * 2);
    expect(new Set(turns.map((t) => t.id)).size).toBe(TURNS * 2);
    const said = turns.filter((_, i) => i % 2 === 0);
    const answered = turns.filter((_, i) => i % 2 === 1);
    expect(said.map((t) => t.role)).toEqual(Array(TURNS).fill('user'));
    expect(answered.map((t) => t.role)).toEqual(Array(TURNS).fill('assistant'));
    const heard = said.map((t: Turn) => t.text.replace(/^tally /, ''));
    expect([...heard].sort()).toEqual(items);
    expect(answered.map((t) => t.text)).toEqual(heard.map((item, i) => `tallied ${item} as #${i + 1}`));
    // No lost update: the state holds every item in the order the turns were stored, and the version counts exchanges.
    expect(conversation?.state.skills.tally).toEqual({ items: heard });
    expect(conversation).toMatchObject({ version: TURNS, turnCount: TURNS * 2 });
    expect(conversation?.version).toBe(turns.length / 2);
    // Each caller got the reply that was stored for it, and each stored turn was announced once.
    expect(replies.map((r) => r.text).sort()).toEqual(answered.map((t) => t.text).sort());
    expect(replies.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: TURNS }, (_, i) => i + 1));
    expect(events.map((e) => (e as { turnId: string }).turnId).sort()).toEqual(said.map((t) => t.id).sort());
  }

  it('through one pipeline (the in-process mutex serialises them)', async () => {
    const outcome = await run(1);
    expectConsistent(outcome);
    expect(outcome.conflicts).toBe(0);
  });

  it('through two pipelines on separate connections (two processes: the version check and retry decide)', async () => {
    const outcome = await run(2);
    expectConsistent(outcome);
    // Two writers really did race; without conflicts this test would prove nothing about the version check.
    expect(outcome.conflicts).toBeGreaterThan(0);
    console.log(
      `${factory.name}: ${outcome.conflicts} version conflicts retried by the pipelines, ${outcome.clientRetries} by the client`,
    );
  });
});
