import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createDynamoDbDocumentClient,
  dynamoDbTableDefinition,
} from '../../../adapters/aws/dynamodb/dynamodb-table.js';
import { afterAll, beforeAll } from 'vitest';
import { removeContainer, startDynamoDbLocal, type StartedService } from './containers.js';

export interface ContainerDocumentClient {
  client: DynamoDBDocumentClient;
  /** Changes how long a request may go unanswered, from the next request on. */
  setRequestTimeout(ms: number): void;
}

/**
 * A document client as the stores expect it, talking to the container over loopback. The endpoint is read on every
 * request, in case a restarted container comes back on another port. Unlike the SDK's defaults, a request that gets
 * no answer fails after its request timeout (`throwOnRequestTimeout`: without it the SDK only logs a warning and
 * waits for ever on a paused server), and there is one attempt, so a test sees the first failure, not the retries'.
 */
export function containerDocumentClient(
  dynamodb: StartedService,
  options: { requestTimeoutMs: number },
): ContainerDocumentClient {
  const client = createDynamoDbDocumentClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    endpoint: async () => ({ url: new URL(`http://127.0.0.1:${dynamodb.port()}`) }),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs, throwOnRequestTimeout: true },
  });
  // The SDK's Node handler takes new settings between requests; its config type does not show the method.
  const handler = client.config.requestHandler as unknown as {
    updateHttpClientConfig(key: string, value: unknown): void;
  };
  return { client, setRequestTimeout: (ms) => handler.updateHttpClientConfig('requestTimeout', ms) };
}

/** Creates the stores' table (definition and TTL from adapters/aws/dynamodb/dynamodb-table.ts) under a fresh name. */
export async function createStoreTable(client: DynamoDBDocumentClient): Promise<string> {
  const { TimeToLiveSpecification, ...definition } = dynamoDbTableDefinition(`assistant-${randomUUID()}`);
  await client.send(new CreateTableCommand(definition));
  for (let polls = 0; ; polls += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: definition.TableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    if (polls === 100) throw new Error(`table ${definition.TableName} did not become ACTIVE`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await client.send(new UpdateTimeToLiveCommand({ TableName: definition.TableName, TimeToLiveSpecification }));
  return definition.TableName;
}

export interface DynamoDbLocalTable {
  client(): DynamoDBDocumentClient;
  tableName(): string;
  /** A new client over the same table, as a fresh Lambda container would see it; destroyed with the suite. */
  reopenedClient(): DynamoDBDocumentClient;
}

/** Starts a DynamoDB Local container and a store table for the enclosing suite, and removes both after it. */
export function useDynamoDbLocalTable(options: { requestTimeoutMs: number }): DynamoDbLocalTable {
  let dynamodb: StartedService | undefined;
  let client: DynamoDBDocumentClient | undefined;
  let tableName: string | undefined;
  const clients: DynamoDBDocumentClient[] = [];
  beforeAll(async () => {
    dynamodb = await startDynamoDbLocal();
    client = containerDocumentClient(dynamodb, options).client;
    tableName = await createStoreTable(client);
  });
  afterAll(async () => {
    client?.destroy();
    for (const fresh of clients.splice(0)) fresh.destroy();
    await removeContainer(dynamodb);
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the DynamoDB Local container has not started');
    return value;
  };
  return {
    client: () => started(client),
    tableName: () => started(tableName),
    reopenedClient: () => {
      const fresh = containerDocumentClient(started(dynamodb), options).client;
      clients.push(fresh);
      return fresh;
    },
  };
}
