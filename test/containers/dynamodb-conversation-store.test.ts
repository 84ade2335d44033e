import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDbConversationStore } from '../../adapters/aws/dynamodb-conversation-store.js';
import { describeConversationStoreContract } from '../contract/conversation-store.contract.js';
import { describeWithContainers, removeContainer, startDynamoDbLocal, type StartedService } from './support/containers.js';
import { containerDocumentClient, createStoreTable } from './support/dynamodb.js';

// The suite's 50 concurrent writers queue up inside one JVM on a small, busy machine: a generous request timeout.
const REQUEST_TIMEOUT_MS = 30_000;

describeWithContainers('DynamoDbConversationStore in a DynamoDB Local container', () => {
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

  describeConversationStoreContract('DynamoDbConversationStore (container)', async () => ({
    store: new DynamoDbConversationStore({ client, tableName }),
    // A new client and store over the same table, as a fresh Lambda container would see it.
    reopen: async () => new DynamoDbConversationStore({ client: reopened(), tableName }),
  }));
});
