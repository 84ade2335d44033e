import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDbUserProfileStore } from '../../adapters/aws/dynamodb-user-profile-store.js';
import { describeUserProfileStoreContract } from '../contract/user-profile-store.contract.js';
import { describeWithContainers, removeContainer, startDynamoDbLocal, type StartedService } from './support/containers.js';
import { containerDocumentClient, createStoreTable } from './support/dynamodb.js';

// Generous: the first requests to a JVM that has just started can take seconds on a busy CI machine.
const REQUEST_TIMEOUT_MS = 30_000;

describeWithContainers('DynamoDbUserProfileStore in a DynamoDB Local container', () => {
  let dynamodb: StartedService | undefined;
  let client: DynamoDBDocumentClient;
  let tableName: string;

  beforeAll(async () => {
    dynamodb = await startDynamoDbLocal();
    client = containerDocumentClient(dynamodb, { requestTimeoutMs: REQUEST_TIMEOUT_MS }).client;
    tableName = await createStoreTable(client);
  });

  const clients: DynamoDBDocumentClient[] = [];
  const reopened = () => {
    const fresh = containerDocumentClient(dynamodb!, { requestTimeoutMs: REQUEST_TIMEOUT_MS }).client;
    clients.push(fresh);
    return fresh;
  };

  afterAll(async () => {
    client?.destroy();
    for (const fresh of clients.splice(0)) fresh.destroy();
    await removeContainer(dynamodb);
  });

  describeUserProfileStoreContract('DynamoDbUserProfileStore (container)', async () => ({
    store: new DynamoDbUserProfileStore({ client, tableName }),
    reopen: async () => new DynamoDbUserProfileStore({ client: reopened(), tableName }),
  }));
});
