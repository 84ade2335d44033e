import { randomUUID } from 'node:crypto';
import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type BatchWriteCommandInput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbConversationStore } from '../../../../adapters/aws/dynamodb/dynamodb-conversation-store.js';
import { toEvent } from '../../../../adapters/aws/dynamodb/dynamodb-conversation-items.js';
import { eventEnvelope } from '../../../../adapters/shared/event-envelope.js';
import type { DomainEvent } from '../../../../core/model/events.js';
import { keys } from '../../../../adapters/aws/dynamodb/dynamodb-table.js';
import {
  ConversationNotFoundError,
  DependencyUnavailableError,
  ValidationError,
  VersionConflictError,
} from '../../../../core/errors.js';
import { exchangeFor, newConversation } from './conversation-fixtures.js';
import { describeConversationStoreContract } from '../../../contract/conversation-store.contract.js';
import { FixedClock } from '../../../doubles/fixed-clock.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../../fakes/aws/dynamodb-local.js';
import { freePort } from '../../../fakes/free-port.js';
import {
  createTestTable,
  startDynalite,
  testDocumentClient,
  type TestTable,
} from '../../../fakes/aws/dynamodb-test-table.js';

let local: DynamoDbLocal | undefined;
let table: TestTable;

beforeAll(async () => {
  local = await startDynamoDbLocal();
  table = await createTestTable(local.endpoint);
}, 60_000);

afterAll(async () => {
  await table?.drop();
  await local?.stop();
});

describeConversationStoreContract('DynamoDbConversationStore on DynamoDB Local', async () => ({
  store: new DynamoDbConversationStore({ client: table.client, tableName: table.tableName }),
  // A new client and store over the same table: what a fresh Lambda container would see.
  reopen: async () =>
    new DynamoDbConversationStore({ client: testDocumentClient(local!.endpoint), tableName: table.tableName }),
  pendingEvents: async (userId) => {
    const { Items = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :events)',
        ExpressionAttributeValues: { ':pk': keys.user(userId), ':events': keys.eventPrefix },
      }),
    );
    return Items.map(toEvent);
  },
}));

describe('DynamoDbConversationStore on dynalite', () => {
  it('is not run: dynalite has no TransactWriteItems, which appendExchange is built on', async ({ skip }) => {
    const dynalite = await startDynalite();
    const client = testDocumentClient(dynalite.endpoint);
    try {
      const probe = await client
        .send(new TransactWriteItemsCommand({ TransactItems: [] }))
        .catch((error: unknown) => error);
      // Should dynalite learn transactions, this fails and says to run the contract suite there as well.
      expect(
        probe,
        'dynalite now answers TransactWriteItems: run the ConversationStore contract on it too',
      ).toMatchObject({
        name: 'UnknownOperationException',
      });
    } finally {
      client.destroy();
      await dynalite.stop();
    }
    skip(
      'dynalite 4 answers TransactWriteItems with UnknownOperationException; the contract runs on DynamoDB Local only',
    );
  });
});

async function itemsOf(client: DynamoDBDocumentClient, userId: string): Promise<Record<string, unknown>[]> {
  const { Items } = await client.send(
    new QueryCommand({
      TableName: table.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.user(userId) },
    }),
  );
  return Items ?? [];
}

/** Runs `before` once, just before the first request of the given command leaves the client. */
function interceptOnce(client: DynamoDBDocumentClient, command: string, before: () => Promise<void>): void {
  let done = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!done && context.commandName === command) {
        done = true;
        await before();
      }
      return next(args);
    },
    { step: 'initialize' },
  );
}

describe('DynamoDbConversationStore', () => {
  it('writes event items the stream Pipe relays: type, eventId, detailType, source, detail as EventBridge carries it', async () => {
    const clock = new FixedClock(new Date('2026-03-01T09:30:00Z'));
    const store = new DynamoDbConversationStore({
      client: table.client,
      tableName: table.tableName,
      clock,
      eventSource: 'assistant-test',
    });
    const created = newConversation();
    await store.create({ conversation: created });
    const event: DomainEvent = {
      type: 'SystemError',
      id: `ev-${randomUUID()}`,
      at: '2026-03-01T09:30:00.000Z',
      userId: created.userId,
      conversationId: created.id,
      code: 'LLM_UNAVAILABLE',
      step: 'respond',
      message: 'the model did not answer',
    };
    await store.appendExchange({ ...exchangeFor(created, 0, 't1'), events: [event] });
    const items = (await itemsOf(table.client, created.userId)).filter((item) => item['type'] === 'event');
    const envelope = eventEnvelope(event, 'assistant-test');
    expect(items).toEqual([
      {
        pk: keys.user(created.userId),
        sk: keys.event(created.id, 1, 0, event.id),
        type: 'event',
        eventId: event.id,
        conversationId: created.id,
        detailType: envelope.detailType,
        source: envelope.source,
        detail: envelope.detail,
        expiresAt: Math.floor(clock.now().getTime() / 1000) + 86_400,
      },
    ]);
    expect(JSON.parse(String(items[0]!['detail']))).toEqual(event);
    await store.deleteAllForUser({ userId: created.userId });
    await expect(itemsOf(table.client, created.userId)).resolves.toEqual([]);
  });

  it('refuses an exchange over the 100-item transaction limit before writing anything', async () => {
    const store = new DynamoDbConversationStore({ client: table.client, tableName: table.tableName });
    const created = newConversation();
    await store.create({ conversation: created });
    const events: DomainEvent[] = Array.from({ length: 98 }, (_, i) => ({
      type: 'SessionStarted',
      id: `ev-${i}`,
      at: '2026-03-01T09:30:00.000Z',
      userId: created.userId,
      conversationId: created.id,
    }));
    const failure = await store
      .appendExchange({ ...exchangeFor(created, 0, 't1', 't2'), events })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ValidationError);
    expect((failure as Error).message).toMatch(/at most 100 items.*2 turns and 98 events/);
    await expect(store.get({ userId: created.userId, conversationId: created.id })).resolves.toMatchObject({
      version: 0,
    });
    await expect(
      store.appendExchange({ ...exchangeFor(created, 0, 't1', 't2'), events: events.slice(1) }),
    ).resolves.toMatchObject({ version: 1 });
  });

  it('gives header and turns expiresAt = now + retentionDays, refreshes it on append and hides what expired', async () => {
    const clock = new FixedClock(new Date('2026-03-01T09:30:00Z'));
    const store = new DynamoDbConversationStore({
      client: table.client,
      tableName: table.tableName,
      retentionDays: 30,
      clock,
    });
    const created = newConversation();
    const expectedAt = (date: Date) => Math.floor(date.getTime() / 1000) + 30 * 86_400;
    const firstExpiry = expectedAt(clock.now());
    await store.create({ conversation: created });
    clock.advance(3_600_000);
    const secondExpiry = expectedAt(clock.now());
    await store.appendExchange(exchangeFor(created, 0, 't1', 't2'));

    const items = await itemsOf(table.client, created.userId);
    expect(items.map((i) => [String(i['sk']).split('#')[0], i['expiresAt']])).toEqual([
      ['CONV', secondExpiry],
      ['TURN', secondExpiry],
      ['TURN', secondExpiry],
    ]);
    expect(secondExpiry - firstExpiry).toBe(3_600);
    expect(table.ttlEnabled).toBe(true);

    clock.advance(30 * 86_400_000);
    await expect(store.get({ userId: created.userId, conversationId: created.id })).resolves.toBeUndefined();
    await expect(store.list({ userId: created.userId, limit: 5 })).resolves.toEqual({ items: [] });
    await expect(store.recentTurns({ userId: created.userId, conversationId: created.id, limit: 5 })).resolves.toEqual(
      [],
    );
    await expect(store.turns({ userId: created.userId, conversationId: created.id, limit: 5 })).resolves.toEqual({
      items: [],
    });
    await expect(store.appendExchange(exchangeFor(created, 1, 't3'))).rejects.toBeInstanceOf(ConversationNotFoundError);
    // The id is free again, and nothing of the expired conversation leaks into the new one.
    await store.create({ conversation: created });
    await expect(store.appendExchange(exchangeFor(created, 0, 'fresh'))).resolves.toMatchObject({
      version: 1,
      turnCount: 1,
    });
    await expect(
      store
        .recentTurns({ userId: created.userId, conversationId: created.id, limit: 5 })
        .then((t) => t.map((x) => x.id)),
    ).resolves.toEqual(['fresh']);
  });

  it('keeps conversations whose ids share a prefix or contain the key separator apart', async () => {
    const store = new DynamoDbConversationStore({ client: table.client, tableName: table.tableName });
    const userId = `user#${randomUUID()}`;
    const plain = newConversation(userId, 'a');
    const tricky = newConversation(userId, 'a#b');
    for (const c of [plain, tricky]) await store.create({ conversation: c });
    await store.appendExchange(exchangeFor(plain, 0, 'plain'));
    await store.appendExchange(exchangeFor(tricky, 0, 'tricky'));
    await expect(
      store.recentTurns({ userId, conversationId: 'a', limit: 10 }).then((t) => t.map((x) => x.id)),
    ).resolves.toEqual(['plain']);
    await expect(store.delete({ userId, conversationId: 'a' })).resolves.toBe(true);
    await expect(
      store.recentTurns({ userId, conversationId: 'a#b', limit: 10 }).then((t) => t.map((x) => x.id)),
    ).resolves.toEqual(['tricky']);
    await expect(store.get({ userId: `user`, conversationId: 'a#b' })).resolves.toBeUndefined();
  });

  it('rejects a cursor issued for another conversation or for a listing, so it cannot leave the queried range', async () => {
    const store = new DynamoDbConversationStore({ client: table.client, tableName: table.tableName });
    const userId = `user-${randomUUID()}`;
    const [first, second] = [newConversation(userId), newConversation(userId)];
    for (const c of [first, second]) {
      await store.create({ conversation: c });
      await store.appendExchange(exchangeFor(c, 0, 'a', 'b', 'c'));
    }
    const turnCursor = (await store.turns({ userId, conversationId: first.id, limit: 1 })).nextCursor;
    const listCursor = (await store.list({ userId, limit: 1 })).nextCursor;
    expect(turnCursor).toBeDefined();
    expect(listCursor).toBeDefined();
    await expect(
      store
        .turns({ userId, conversationId: first.id, limit: 5, cursor: turnCursor! })
        .then((p) => p.items.map((t) => t.id)),
    ).resolves.toEqual(['b', 'c']);
    await expect(
      store.turns({ userId, conversationId: second.id, limit: 5, cursor: turnCursor! }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      store.turns({ userId, conversationId: first.id, limit: 5, cursor: listCursor! }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(store.list({ userId, limit: 5, cursor: turnCursor! })).rejects.toBeInstanceOf(ValidationError);
  });

  it('reports a conversation deleted between the read and the transaction as not found, not as a conflict', async () => {
    const client = testDocumentClient(local!.endpoint);
    const store = new DynamoDbConversationStore({ client, tableName: table.tableName });
    const other = new DynamoDbConversationStore({ client: table.client, tableName: table.tableName });
    const c = newConversation();
    await store.create({ conversation: c });
    interceptOnce(
      client,
      'TransactWriteItemsCommand',
      async () => void (await other.delete({ userId: c.userId, conversationId: c.id })),
    );
    const failure = await store.appendExchange(exchangeFor(c, 0, 'late')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConversationNotFoundError);
    expect(failure).toMatchObject({ cause: { name: 'TransactionCanceledException' } });
    await expect(itemsOf(table.client, c.userId)).resolves.toEqual([]);
    client.destroy();
  });

  it('reports a header moved on between the read and the transaction as a conflict, and writes none of its turns', async () => {
    const client = testDocumentClient(local!.endpoint);
    const store = new DynamoDbConversationStore({ client, tableName: table.tableName });
    const other = new DynamoDbConversationStore({ client: table.client, tableName: table.tableName });
    const c = newConversation();
    await store.create({ conversation: c });
    interceptOnce(
      client,
      'TransactWriteItemsCommand',
      async () => void (await other.appendExchange(exchangeFor(c, 0, 'first'))),
    );
    const failure = await store
      .appendExchange(exchangeFor(c, 0, 'second-u', 'second-a'))
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(VersionConflictError);
    expect(failure).toMatchObject({ expectedVersion: 0, cause: { name: 'TransactionCanceledException' } });
    await expect(
      store.recentTurns({ userId: c.userId, conversationId: c.id, limit: 10 }).then((t) => t.map((x) => x.id)),
    ).resolves.toEqual(['first']);
    client.destroy();
  });

  it('sends the deletes DynamoDB left unprocessed again until every item of the user is gone', async () => {
    const client = testDocumentClient(local!.endpoint);
    const store = new DynamoDbConversationStore({ client, tableName: table.tableName });
    const userId = `user-${randomUUID()}`;
    for (let i = 0; i < 3; i += 1) {
      const c = newConversation(userId);
      await store.create({ conversation: c });
      await store.appendExchange(exchangeFor(c, 0, ...Array.from({ length: 12 }, (_, t) => `t${t}`)));
    }
    const sent: number[] = [];
    let throttled = 0;
    // Stands in for a throttled table: the first two batches go out half-empty and report the rest as unprocessed.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchWriteItemCommand') return next(args);
        const input = args.input as BatchWriteCommandInput;
        const requests = input.RequestItems?.[table.tableName] ?? [];
        sent.push(requests.length);
        if (throttled === 2 || requests.length < 2) return next(args);
        throttled += 1;
        const kept = requests.slice(0, 1);
        const result = await next({ ...args, input: { RequestItems: { [table.tableName]: kept } } });
        (result.output as { UnprocessedItems?: unknown }).UnprocessedItems = { [table.tableName]: requests.slice(1) };
        return result;
      },
      { step: 'initialize', name: 'throttle-batches' },
    );
    await expect(store.deleteAllForUser({ userId })).resolves.toBe(3);
    expect(throttled).toBe(2);
    expect(sent.slice(0, 3)).toEqual([25, 24, 23]);
    await expect(itemsOf(table.client, userId)).resolves.toEqual([]);
    client.destroy();
  });

  it('fails with a retryable DependencyUnavailableError and writes nothing when DynamoDB is unreachable', async () => {
    const closed = testDocumentClient(`http://127.0.0.1:${await freePort()}`);
    const store = new DynamoDbConversationStore({ client: closed, tableName: table.tableName });
    const c = newConversation();
    const attempts = [
      () => store.create({ conversation: c }),
      () => store.get({ userId: c.userId, conversationId: c.id }),
      () => store.appendExchange(exchangeFor(c, 0, 'x')),
      () => store.list({ userId: c.userId, limit: 5 }),
      () => store.deleteAllForUser({ userId: c.userId }),
    ];
    for (const attempt of attempts) {
      const failure = await attempt().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DependencyUnavailableError);
      expect(failure).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', retryable: true, dependency: 'dynamodb' });
      expect((failure as Error).message).toMatch(/ECONNREFUSED/);
    }
    await expect(itemsOf(table.client, c.userId)).resolves.toEqual([]);
    closed.destroy();
  });

  it('reports a missing table as a DependencyUnavailableError that retrying cannot fix', async () => {
    const store = new DynamoDbConversationStore({ client: table.client, tableName: `missing-${randomUUID()}` });
    const failure = await store.get({ userId: 'u', conversationId: 'c' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DependencyUnavailableError);
    expect(failure).toMatchObject({ retryable: false, cause: { name: 'ResourceNotFoundException' } });
  });
});
