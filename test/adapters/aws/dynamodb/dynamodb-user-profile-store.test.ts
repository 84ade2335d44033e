import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbUserProfileStore } from '../../../../adapters/aws/dynamodb/dynamodb-user-profile-store.js';
import { DependencyUnavailableError } from '../../../../core/errors.js';
import type { UserProfile } from '../../../../core/model/profile.js';
import { describeUserProfileStoreContract } from '../../../contract/user-profile-store.contract.js';
import { startDynamoDbLocal } from '../../../fakes/aws/dynamodb-local.js';
import { freePort } from '../../../fakes/free-port.js';
import {
  createTestTable,
  startDynalite,
  testDocumentClient,
  type TestTable,
} from '../../../fakes/aws/dynamodb-test-table.js';

interface Backend {
  endpoint: string;
  table: TestTable;
  stop(): Promise<void>;
}

/** Starts a stand-in once for its suite and gives it a fresh table made from the stores' own definition. */
function backend(start: () => Promise<{ endpoint: string; stop(): Promise<void> }>): () => Backend {
  let current: Backend | undefined;
  beforeAll(async () => {
    const server = await start();
    current = { endpoint: server.endpoint, table: await createTestTable(server.endpoint), stop: () => server.stop() };
  }, 60_000);
  afterAll(async () => {
    await current?.table.drop();
    await current?.stop();
  });
  return () => {
    if (!current) throw new Error('the stand-in did not start');
    return current;
  };
}

for (const [name, start] of [
  ['dynalite', startDynalite],
  ['DynamoDB Local', startDynamoDbLocal],
] as const) {
  describe(`on ${name}`, () => {
    const stand = backend(start);

    describeUserProfileStoreContract(`DynamoDbUserProfileStore on ${name}`, async () => {
      const { endpoint, table } = stand();
      return {
        store: new DynamoDbUserProfileStore({ client: table.client, tableName: table.tableName }),
        // A new client and store over the same table: what a fresh Lambda container would see.
        reopen: async () =>
          new DynamoDbUserProfileStore({ client: testDocumentClient(endpoint), tableName: table.tableName }),
      };
    });

    it('keeps the profile in the user partition under sk PROFILE, beside the conversations', async () => {
      const { table } = stand();
      const store = new DynamoDbUserProfileStore({ client: table.client, tableName: table.tableName });
      const profile: UserProfile = {
        userId: `user-${randomUUID()}`,
        updatedAt: '2026-03-01T09:00:00.000Z',
        preferences: { language: 'en-GB', units: 'metric', timeZone: 'Europe/London' },
      };
      await store.put({ profile });
      const { Item } = await table.client.send(
        new GetCommand({
          TableName: table.tableName,
          Key: { pk: `USER#${encodeURIComponent(profile.userId)}`, sk: 'PROFILE' },
        }),
      );
      expect(Item).toMatchObject({ type: 'profile', userId: profile.userId, preferences: profile.preferences });
      expect(Item).not.toHaveProperty('expiresAt');
    });
  });
}

describe('DynamoDbUserProfileStore without DynamoDB', () => {
  it('fails with a retryable DependencyUnavailableError when the endpoint refuses connections', async () => {
    const client = testDocumentClient(`http://127.0.0.1:${await freePort()}`);
    const store = new DynamoDbUserProfileStore({ client, tableName: 'assistant' });
    const profile: UserProfile = {
      userId: 'u',
      updatedAt: '2026-03-01T09:00:00.000Z',
      preferences: { language: 'en', units: 'metric', timeZone: 'UTC' },
    };
    for (const attempt of [
      () => store.get({ userId: 'u' }),
      () => store.put({ profile }),
      () => store.delete({ userId: 'u' }),
    ]) {
      const failure = await attempt().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DependencyUnavailableError);
      expect(failure).toMatchObject({ retryable: true, dependency: 'dynamodb', cause: { code: 'ECONNREFUSED' } });
    }
    client.destroy();
  });
});
