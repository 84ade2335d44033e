import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toEvent } from '../../adapters/aws/dynamodb/dynamodb-conversation-items.js';
import { keys } from '../../adapters/aws/dynamodb/dynamodb-table.js';
import { openSqliteDatabase } from '../../adapters/local/sqlite-database.js';
import type { Turn } from '../../core/model/conversation.js';
import type { DomainEvent } from '../../core/model/events.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../fakes/aws/dynamodb-local.js';
import { createTestTable, type TestTable } from '../fakes/aws/dynamodb-test-table.js';
import { EventPipeFake } from '../fakes/aws/event-pipe-fake.js';

/*
 * The proof that no stored turn loses its events: real turns run in a child process that SIGKILLs itself at
 * chosen points (right after a commit, on the transport's first delivery, after a delivery before the outbox forgot
 * it); then the same data is reopened with a working transport, the relay drains, and every stored turn's events must
 * have been delivered at least once, and none for a turn that was not stored.
 */

const CHILD = new URL('./outbox-crash/crash-child.ts', import.meta.url).pathname;

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runChild(env: Record<string, string>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function deliveredIn(log: string): DomainEvent[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as DomainEvent);
}

/** What each stored turn must have produced: a UserInteraction for a user turn, an AssistantReplied for a reply. */
function expectedFor(turns: readonly Turn[]): string[] {
  return turns.map((turn) => `${turn.role === 'user' ? 'UserInteraction' : 'AssistantReplied'}:${turn.id}`).sort();
}

function turnEventKeys(events: readonly DomainEvent[]): string[] {
  return events.flatMap((event) =>
    event.type === 'UserInteraction' || event.type === 'AssistantReplied' ? [`${event.type}:${event.turnId}`] : [],
  );
}

describe('outbox crash: no stored turn loses its events (SQLite, SIGKILL at chosen points)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-crash-'));
  const log = join(dir, 'delivered.jsonl');
  const env = { CONVERSATION_STORE: 'sqlite', DATA_DIR: join(dir, 'data'), DELIVERED_LOG: log, TURNS: '4' };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('delivers every stored turn’s events at least once after kills, and nothing for a turn not stored', async () => {
    const outboxSize = () => {
      const db = openSqliteDatabase(join(dir, 'data', 'assistant.db'));
      try {
        return (db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    const kills = [
      'after-commit:3',
      'first-delivery',
      'after-delivery',
      `after-commit:${1 + Math.floor(Math.random() * 4)}`,
    ];
    for (const [index, kill] of kills.entries()) {
      const result = await runChild({ ...env, KILL: kill });
      expect(result.signal, `${kill}: ${result.stdout}${result.stderr}`).toBe('SIGKILL');
      // The first kill lands between the third commit and its publish step: its events wait in the outbox.
      if (index === 0) expect(outboxSize()).toBeGreaterThanOrEqual(2);
    }
    const beforeDrain = deliveredIn(log);

    const drained = await runChild({ ...env, KILL: 'none', TURNS: '2' });
    expect(drained.code, drained.stderr).toBe(0);
    expect(JSON.parse(drained.stdout.trim().split('\n').at(-1)!)).toEqual({ pending: 0 });
    expect(outboxSize()).toBe(0);

    const db = openSqliteDatabase(join(dir, 'data', 'assistant.db'));
    const stored = (db.prepare('SELECT body FROM turns').all() as { body: string }[]).map(
      (row) => JSON.parse(row.body) as Turn,
    );
    db.close();
    const delivered = deliveredIn(log);
    const deliveredKeys = new Set(turnEventKeys(delivered));
    // Every turn a run committed — those killed right after their commit included — had its events delivered.
    expect(stored.length).toBeGreaterThanOrEqual(2 * 6);
    expect(expectedFor(stored).filter((key) => !deliveredKeys.has(key))).toEqual([]);
    // Nothing was delivered for a turn that was not stored, and every delivered event is a whole, known event.
    expect([...deliveredKeys].sort()).toEqual(expectedFor(stored));
    // At least once, not exactly once: the kill after a delivery repeated that batch, with the same event ids.
    const ids = delivered.map((event) => event.id);
    expect(new Set(ids).size).toBeLessThan(ids.length);
    expect(beforeDrain.length).toBeGreaterThan(0);
  }, 180_000);
});

describe('outbox crash: a turn killed after its DynamoDB transaction keeps its event items (DynamoDB Local)', () => {
  let local: DynamoDbLocal | undefined;
  let table: TestTable;
  const dir = mkdtempSync(join(tmpdir(), 'outbox-crash-ddb-'));

  beforeAll(async () => {
    local = await startDynamoDbLocal();
    table = await createTestTable(local.endpoint);
  }, 60_000);
  afterAll(async () => {
    await table?.drop();
    await local?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the event items of every stored turn, and the stream Pipe delivers them', async () => {
    const userId = 'crash-ddb-user';
    const result = await runChild({
      CONVERSATION_STORE: 'dynamodb',
      DYNAMODB_TABLE: table.tableName,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      AWS_ENDPOINT_URL_DYNAMODB: local!.endpoint,
      DATA_DIR: join(dir, 'data'),
      DELIVERED_LOG: join(dir, 'delivered.jsonl'),
      USER_ID: userId,
      TURNS: '4',
      KILL: 'after-commit:3',
    });
    expect(result.signal, result.stdout + result.stderr).toBe('SIGKILL');
    // The API published nothing of the turns itself: on AWS the stream's Pipe is the only relay.
    expect(turnEventKeys(deliveredIn(join(dir, 'delivered.jsonl')))).toEqual([]);

    const { Items = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.user(userId) },
      }),
    );
    const stored = Items.filter((item) => item.type === 'turn').map((item) => item.turn as Turn);
    const events = Items.filter((item) => item.type === 'event').map(toEvent);
    expect(stored).toHaveLength(6);
    expect(turnEventKeys(events).sort()).toEqual(expectedFor(stored));

    const piped: DomainEvent[] = [];
    const pipe = EventPipeFake.toPublisher(table.client, table.tableName, {
      publish: async ({ events: batch }) => void piped.push(...batch),
    });
    await expect(pipe.deliverPending()).resolves.toBe(true);
    expect(turnEventKeys(piped).sort()).toEqual(expectedFor(stored));
  }, 120_000);
});
