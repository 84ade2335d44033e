import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DynamoDbConversationStore } from '../../adapters/aws/dynamodb/dynamodb-conversation-store.js';
import { DynamoDbUserProfileStore } from '../../adapters/aws/dynamodb/dynamodb-user-profile-store.js';
import { DependencyUnavailableError } from '../../core/errors.js';
import { createHttpHarness, expectProblem, type HttpHarness } from '../http/http-harness.js';
import {
  describeWithContainers,
  faults,
  removeContainer,
  startDynamoDbLocal,
  type StartedService,
} from './support/containers.js';
import { containerDocumentClient, createStoreTable } from './support/dynamodb.js';

/** While DynamoDB answers: generous, because a cold JVM on a busy CI machine can take seconds over a request. */
const HEALTHY_TIMEOUT_MS = 30_000;
/** While it is paused: how long a request may go unanswered before the turn gives up with a 503. */
const PAUSED_TIMEOUT_MS = 2_000;
const USER = 'alice';

interface TurnView {
  id: string;
  role: 'user' | 'assistant';
  text: string;
  intent?: string;
}

/*
 * One conversation held over HTTP (buildApp, the test assistant, both DynamoDB stores) against a DynamoDB Local
 * container, while the container is stopped, restarted and paused underneath it: failures the in-process emulators
 * cannot produce. The tests run in order and continue the same conversation.
 */
describeWithContainers('DynamoDB stores at a real network boundary, over HTTP', () => {
  let dynamodb: StartedService | undefined;
  let client: DynamoDBDocumentClient;
  let setRequestTimeout: (ms: number) => void;
  let conversations: DynamoDbConversationStore;
  let h: HttpHarness;
  let headers: Record<string, string>;
  let conversationId: string;
  /** Runs once, just before the next TransactWriteItems request leaves the client. */
  let beforeNextWrite: (() => Promise<void>) | undefined;
  const serverErrors: string[] = [];

  beforeAll(async () => {
    dynamodb = await startDynamoDbLocal({ durable: true, stablePort: true });
    ({ client, setRequestTimeout } = containerDocumentClient(dynamodb, { requestTimeoutMs: HEALTHY_TIMEOUT_MS }));
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const hook = beforeNextWrite;
        if (hook && context.commandName === 'TransactWriteItemsCommand') {
          beforeNextWrite = undefined;
          await hook();
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    const tableName = await createStoreTable(client);
    conversations = new DynamoDbConversationStore({ client, tableName });
    h = await createHttpHarness({
      assistant: { conversations, profiles: new DynamoDbUserProfileStore({ client, tableName }) },
      // Server faults are logged; keep them, so an unexpected 500 says what it was.
      app: { logger: { level: 'error', stream: { write: (line: string) => void serverErrors.push(line) } } },
    });
    headers = await h.as(USER);
    const created = await h.app.inject({ method: 'POST', url: '/v1/conversations', headers, payload: {} });
    expect(created.statusCode, created.body).toBe(201);
    conversationId = created.json().id;
  });

  afterAll(async () => {
    await h?.app.close();
    client?.destroy();
    await removeContainer(dynamodb);
  });

  const say = (text: string) =>
    h.app.inject({ method: 'POST', url: `/v1/conversations/${conversationId}/turns`, headers, payload: { text } });

  async function sayOk(text: string): Promise<Record<string, unknown>> {
    const response = await say(text);
    expect(response.statusCode, `${response.body}\n${serverErrors.join('')}`).toBe(200);
    return response.json();
  }

  /** Pauses the container for `during`, with requests given up after PAUSED_TIMEOUT_MS meanwhile. */
  async function whilePaused<T>(during: () => Promise<T>, pause = () => faults.pause(dynamodb!.container)): Promise<T> {
    setRequestTimeout(PAUSED_TIMEOUT_MS);
    try {
      await pause();
      return await during();
    } finally {
      await faults.unpause(dynamodb!.container).catch(() => undefined);
      setRequestTimeout(HEALTHY_TIMEOUT_MS);
    }
  }

  async function history(): Promise<TurnView[]> {
    const response = await h.app.inject({
      method: 'GET',
      url: `/v1/conversations/${conversationId}/turns?limit=100`,
      headers,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().items;
  }

  /** Nothing half-written: the header's counters agree with the turns, which come in user/assistant pairs. */
  async function expectWhole(): Promise<TurnView[]> {
    const turns = await history();
    const header = await conversations.get({ userId: USER, conversationId: conversationId });
    expect(header).toMatchObject({ turnCount: turns.length, version: turns.length / 2 });
    expect(turns.map((t) => t.role)).toEqual(turns.map((_, i) => (i % 2 === 0 ? 'user' : 'assistant')));
    for (let i = 0; i < turns.length; i += 2) expect(turns[i + 1]?.intent).toBe(turns[i]?.intent);
    return turns;
  }

  /** Whether the conversation's version moves on from `version` within `withinMs`. */
  async function versionChange(version: number, withinMs: number): Promise<boolean> {
    for (const deadline = Date.now() + withinMs; Date.now() < deadline;) {
      if ((await conversations.get({ userId: USER, conversationId: conversationId }))?.version !== version) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  function expectUnavailable(response: Awaited<ReturnType<typeof say>>): void {
    expectProblem(response, 503, 'DEPENDENCY_UNAVAILABLE');
    expect(serverErrors.join('')).not.toMatch(/"code":"INTERNAL"/);
    expect(response.headers['retry-after']).toBe('1');
  }

  it('answers 503 with Retry-After while DynamoDB is stopped, and carries on after a restart with the state whole', async () => {
    expect(await sayOk('hello')).toMatchObject({ skill: 'small-talk', version: 1 });
    expect(await sayOk("what's the weather")).toMatchObject({ route: 'ask', text: 'For which city?', version: 2 });

    await faults.stop(dynamodb!.container);
    expectUnavailable(await say('Paris'));
    const direct = await conversations
      .get({ userId: USER, conversationId: conversationId })
      .catch((error: unknown) => error);
    expect(direct).toBeInstanceOf(DependencyUnavailableError);
    expect(direct).toMatchObject({
      dependency: 'dynamodb',
      retryable: true,
      details: { operation: 'get conversation' },
    });
    expect(String((direct as Error).message)).toMatch(/ECONNREFUSED/);

    await faults.restart(dynamodb!.container);
    expect((await expectWhole()).map((t) => t.text)).toEqual([
      'hello',
      expect.any(String),
      "what's the weather",
      'For which city?',
    ]);
    // The pending question survived the restart in the stored dialogue state: "Paris" still answers it.
    expect(await sayOk('Paris')).toMatchObject({
      route: 'skill',
      skill: 'weather',
      slots: { city: 'Paris' },
      version: 3,
    });
    expect(await expectWhole()).toHaveLength(6);
  });

  it('answers 503 within the request timeout while DynamoDB is paused, and the next turn after resuming succeeds', async () => {
    await whilePaused(async () => {
      const started = Date.now();
      expectUnavailable(await say('thank you'));
      // Nothing answers on the open connection: only the client's request timeout ends the wait.
      expect(Date.now() - started).toBeLessThan(PAUSED_TIMEOUT_MS * 5);
      const direct = await conversations
        .recentTurns({ userId: USER, conversationId: conversationId, limit: 10 })
        .catch((error: unknown) => error);
      expect(direct).toBeInstanceOf(DependencyUnavailableError);
      expect(direct).toMatchObject({ dependency: 'dynamodb', retryable: true, details: { awsError: 'TimeoutError' } });
    });
    expect(await expectWhole()).toHaveLength(6);
    expect(await sayOk('thank you')).toMatchObject({ skill: 'small-talk', version: 4 });
    expect(await expectWhole()).toHaveLength(8);
  });

  it('keeps the exchange whole when DynamoDB freezes just as the turn is written, whether or not it lands later', async () => {
    const before = await expectWhole();
    beforeNextWrite = () => faults.pause(dynamodb!.container);
    await whilePaused(
      async () => {
        expectUnavailable(await say('what time is it'));
        expect(beforeNextWrite, 'the turn got as far as its write').toBeUndefined();
      },
      async () => undefined,
    );
    // The transaction reached the frozen server before the client gave up on it, so the server may apply it once it
    // thaws (on Podman it does): the 503 does not prove that nothing was stored. Wait for it to land, or not.
    const landed = await versionChange(before.length / 2, 5_000);
    const after = await expectWhole();
    expect(after).toHaveLength(before.length + (landed ? 2 : 0));
    if (landed) expect(after.at(-2)?.text).toBe('what time is it');
    await sayOk('what time is it');
    expect(await expectWhole()).toHaveLength(after.length + 2);
  });

  it('answers a preferences change with 503 while DynamoDB is stopped, and keeps the profile across the restart', async () => {
    const saved = await h.app.inject({
      method: 'PATCH',
      url: '/v1/me/preferences',
      headers,
      payload: { homeCity: 'Oslo' },
    });
    expect(saved.statusCode, saved.body).toBe(200);

    await faults.stop(dynamodb!.container);
    const refused = await h.app.inject({
      method: 'PATCH',
      url: '/v1/me/preferences',
      headers,
      payload: { homeCity: 'Bergen' },
    });
    expectProblem(refused, 503, 'DEPENDENCY_UNAVAILABLE');
    expect(refused.headers['retry-after']).toBe('1');

    await faults.restart(dynamodb!.container);
    const read = await h.app.inject({ method: 'GET', url: '/v1/me/preferences', headers });
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json()).toMatchObject({ homeCity: 'Oslo' });
  });
});
