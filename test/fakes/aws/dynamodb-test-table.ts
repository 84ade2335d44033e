import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  UpdateTimeToLiveCommand,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { dynamoDbTableDefinition } from '../../../adapters/aws/dynamodb/dynamodb-table.js';
import { TEST_AWS_CLIENT_CONFIG } from './fake-aws-server.js';

/** A document client configured as the composition root configures it, pointed at a loopback endpoint. */
export function testDocumentClient(
  endpoint: string,
  config: Partial<DynamoDBClientConfig> = {},
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint, ...config }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export interface TestTable {
  tableName: string;
  client: DynamoDBDocumentClient;
  /** Whether the endpoint accepted UpdateTimeToLive (DynamoDB Local does, dynalite does not). */
  ttlEnabled: boolean;
  drop(): Promise<void>;
}

/** Creates a table with a fresh name from the stores' own definition, TTL included where the endpoint supports it. */
export async function createTestTable(endpoint: string): Promise<TestTable> {
  const client = testDocumentClient(endpoint);
  const { TimeToLiveSpecification, ...definition } = dynamoDbTableDefinition(`assistant-${randomUUID()}`);
  const tableName = definition.TableName;
  await client.send(new CreateTableCommand(definition));
  for (let polls = 0; ; polls += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') break;
    if (polls === 100) throw new Error(`table ${tableName} did not become ACTIVE`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const ttlEnabled = await client
    .send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification }))
    .then(
      () => true,
      (error: unknown) => {
        if ((error as Error).name === 'UnknownOperationException') return false;
        throw error;
      },
    );
  return {
    tableName,
    client,
    ttlEnabled,
    drop: async () => {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      client.destroy();
    },
  };
}

/** dynalite in this process on 127.0.0.1 and a free port: starts in milliseconds, but knows no transactions. */
export async function startDynalite(): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
