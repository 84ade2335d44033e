import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDynamoDbDocumentClient, dynamoDbTableDefinition } from '../../../adapters/aws/dynamodb-table.js';
import type { StartedService } from './containers.js';

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
export function containerDocumentClient(dynamodb: StartedService, options: { requestTimeoutMs: number }): ContainerDocumentClient {
  const client = createDynamoDbDocumentClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    endpoint: async () => ({ url: new URL(`http://127.0.0.1:${dynamodb.port()}`) }),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs, throwOnRequestTimeout: true },
  });
  // The SDK's Node handler takes new settings between requests; its config type does not show the method.
  const handler = client.config.requestHandler as unknown as { updateHttpClientConfig(key: string, value: unknown): void };
  return { client, setRequestTimeout: (ms) => handler.updateHttpClientConfig('requestTimeout', ms) };
}

/** Creates the stores' table (definition and TTL from adapters/aws/dynamodb-table.ts) under a fresh name. */
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
