import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDbConversationStore } from '../../adapters/aws/dynamodb/dynamodb-conversation-store.js';
import { STEP_NAMES, type TurnRecord } from '../../core/model/turn.js';
import { loadConfig } from '../../entrypoints/composition/config.js';
import { composeAssistant } from '../../entrypoints/composition/container.js';
import { createLogger } from '../../entrypoints/composition/logger.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../fakes/aws/dynamodb-local.js';
import { createTestTable, type TestTable } from '../fakes/aws/dynamodb-test-table.js';
import { EventPipeFake } from '../fakes/aws/event-pipe-fake.js';
import { startEventBridgeFake, type EventBridgeFake } from '../fakes/aws/eventbridge-fake.js';
import { startLocalS3, type LocalS3 } from '../fakes/aws/s3-local.js';
import { locateNode22 } from '../fakes/lambda/node22.js';
import { bundleForTest, deployFunction, type DeployedFunction } from './support/deployed-function.js';

const node22 = await locateNode22();

/** The happy path's tasks, in the state machine's order (the step names), each deployed as the function its Task state names. */
const CHAIN: readonly string[] = STEP_NAMES;

/**
 * The workflow bundle on the runtime Lambda uses (Node 22, aws-lambda-ric): one function per task, handing the turn
 * record from one to the next as the state machine would, over DynamoDB Local, S3 (s3rver) and EventBridge stand-ins.
 */
describe.skipIf('skip' in node22)('workflow task functions (bundle under aws-lambda-ric on Node 22)', () => {
  let dynamo: DynamoDbLocal;
  let table: TestTable;
  let s3: LocalS3;
  let events: EventBridgeFake;
  let bundle: Awaited<ReturnType<typeof bundleForTest>>;
  const functions = new Map<string, DeployedFunction>();

  beforeAll(async () => {
    [dynamo, s3, events, bundle] = await Promise.all([
      startDynamoDbLocal(),
      startLocalS3(),
      startEventBridgeFake(),
      bundleForTest('workflow'),
    ]);
    table = await createTestTable(dynamo.endpoint);
    const env = {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: events.url,
      ASSISTANT_PROFILE: 'aws',
      DYNAMODB_TABLE: table.tableName,
      AUDIO_BUCKET: s3.bucket,
      EVENT_BUS_NAME: 'assistant-bus',
      AUTH: 'local',
      AUTH_SECRET: 'workflow-test-secret-of-at-least-32-characters',
      TTS: 'none',
      STT: 'none',
      SENTIMENT: 'none',
      LOG_LEVEL: 'warn',
    };
    const deployed = await Promise.all(
      [...CHAIN, 'recordFailure'].map(async (task) => {
        const fn = await deployFunction({
          node: (node22 as { path: string }).path,
          bundle,
          functionName: `assistant-${task}`,
          handler: `index.${task}`,
          env,
        });
        return [task, fn] as const;
      }),
    );
    for (const [task, fn] of deployed) functions.set(task, fn);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...functions.values()].map((fn) => fn.stop()));
    await table?.drop();
    await Promise.all([dynamo?.stop(), s3?.close(), events?.close(), bundle?.remove()]);
  });

  const fn = (task: string) => functions.get(task) as DeployedFunction;
  const record = (conversationId: string, text: string): TurnRecord => ({
    id: `turn-${Date.now()}`,
    userId: 'wendy',
    conversationId,
    input: { kind: 'text', text },
    receivedAt: new Date().toISOString(),
    attempt: 1,
    timings: {},
  });

  it('answers a turn task by task, the record passed on as JSON, and stores and publishes it once', async () => {
    // Prepare: a conversation the server would have started, in the same table.
    const store = new DynamoDbConversationStore({ client: table.client, tableName: table.tableName });
    const at = new Date().toISOString();
    const conversation = {
      id: 'c-workflow',
      userId: 'wendy',
      createdAt: at,
      updatedAt: at,
      version: 0,
      turnCount: 0,
      state: { skills: {} },
    };
    await store.create({ conversation });

    // Act
    let turn = record(conversation.id, 'what time is it');
    for (const task of CHAIN) turn = await fn(task).call<TurnRecord>(turn);

    // Assess
    expect(turn).toMatchObject({
      heard: 'what time is it',
      decision: { kind: 'skill', skill: 'time' },
      published: true,
    });
    expect(turn.stored?.version).toBe(1);
    expect(Object.keys(turn.timings).sort()).toEqual([...CHAIN].sort());
    const history = await store.turns({ userId: 'wendy', conversationId: conversation.id, limit: 10 });
    expect(history.items.map(({ role, text }) => ({ role, text }))).toEqual([
      { role: 'user', text: 'what time is it' },
      { role: 'assistant', text: turn.response?.text },
    ]);
    // The publish task published nothing itself (no double delivery): the events are items of the persist
    // transaction, and the stream's Pipe puts them on the bus.
    expect(events.events()).toEqual([]);
    await EventPipeFake.toEventBridge(table.client, table.tableName, {
      endpoint: events.url,
      eventBusName: 'assistant-bus',
    }).deliverPending();
    expect(events.events().map((event) => event.type)).toEqual(['UserInteraction', 'AssistantReplied']);
    expect(events.events().map((event) => (event as { turnId?: string }).turnId)).toEqual([
      turn.stored?.userTurnId,
      turn.stored?.assistantTurnId,
    ]);
    // The first call of each task is that function's cold start on Node 22 (nine bundles loaded one after another).
  }, 60_000);

  it('continues, task by task, a conversation started on the Fastify server over the same table, history whole', async () => {
    // Prepare: the server (aws profile) on the same DynamoDB Local table, as a deployment would run it beside the functions.
    const dataDir = await mkdtemp(join(tmpdir(), 'assistant-workflow-'));
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDTEST');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test-secret');
    vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.endpoint);
    vi.stubEnv('AWS_ENDPOINT_URL_EVENTBRIDGE', events.url);
    const server = await composeAssistant(
      loadConfig({
        ASSISTANT_PROFILE: 'aws',
        AWS_REGION: 'us-east-1',
        DYNAMODB_TABLE: table.tableName,
        EVENT_BUS_NAME: 'assistant-bus',
        AUTH: 'local',
        AUTH_SECRET: 'workflow-test-secret-of-at-least-32-characters',
        TTS: 'none',
        STT: 'none',
        SENTIMENT: 'none',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
      }),
      { logger: createLogger('silent') },
    );
    try {
      const conversation = await server.conversations.create('xavier');
      const first = await server.handleTurn({
        userId: 'xavier',
        conversationId: conversation.id,
        input: { kind: 'text', text: 'hello' },
      });

      // Act: the next turn runs as the workflow's tasks, each in its own function.
      let turn = { ...record(conversation.id, 'what time is it'), userId: 'xavier' };
      for (const task of CHAIN) turn = await fn(task).call<TurnRecord>(turn);
      const third = await server.handleTurn({
        userId: 'xavier',
        conversationId: conversation.id,
        input: { kind: 'text', text: 'thanks' },
      });

      // Assess
      expect(turn.stored?.version).toBe(2);
      expect(third.version).toBe(3);
      const history = await server.conversations.history('xavier', conversation.id, { limit: 10 });
      expect(history.items.map((item) => item.text)).toEqual([
        'hello',
        first.text,
        'what time is it',
        turn.response?.text,
        'thanks',
        third.text,
      ]);
    } finally {
      await server.close();
      vi.unstubAllEnvs();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('reports the error names the state machine branches on', async () => {
    const malformed = await fn('load').invoke({ not: 'a turn record' });
    expect(malformed).toMatchObject({ kind: 'error', errorType: 'Rejected' });
    const unknown = await fn('load').invoke(record('c-nobody-has', 'hello'));
    expect(unknown).toMatchObject({ kind: 'error', errorType: 'Rejected' });
    expect(unknown.kind === 'error' && (JSON.parse(unknown.errorMessage) as { code: string }).code).toBe(
      'CONVERSATION_NOT_FOUND',
    );
  });

  it('answers a failure with an apology and leaves the conversation as it was', async () => {
    const failed = {
      ...record('c-nobody-has', 'hello'),
      error: {
        Error: 'Retryable',
        Cause: JSON.stringify({ code: 'DEPENDENCY_UNAVAILABLE', message: 'down', retryable: true, step: 'persist' }),
      },
    };
    const answered = await fn('recordFailure').call<TurnRecord>(failed);
    expect(answered.failure).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', step: 'persist' });
    expect(answered.failure?.apology).toMatch(/sorry/i);
    expect(answered).not.toHaveProperty('error');
    expect(events.events().at(-1)).toMatchObject({
      type: 'SystemError',
      code: 'DEPENDENCY_UNAVAILABLE',
      step: 'persist',
    });
  });
});
