import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbConversationStore } from '../../../../adapters/aws/dynamodb/dynamodb-conversation-store.js';
import { CoreError, DependencyUnavailableError, VersionConflictError } from '../../../../core/errors.js';
import { testDocumentClient } from '../../../fakes/aws/dynamodb-test-table.js';
import { startFakeAwsServer, type FakeAwsServer } from '../../../fakes/aws/fake-aws-server.js';
import { at, exchangeFor, newConversation } from './conversation-fixtures.js';

describe('DynamoDbConversationStore error mapping over the wire', () => {
  let fake: FakeAwsServer;
  let client: DynamoDBDocumentClient;
  const store = () => new DynamoDbConversationStore({ client, tableName: 'assistant' });

  beforeAll(async () => {
    fake = await startFakeAwsServer();
    client = testDocumentClient(fake.url);
  });
  afterAll(async () => {
    client.destroy();
    await fake.close();
  });

  it.each([
    ['ProvisionedThroughputExceededException', 400],
    ['ThrottlingException', 400],
    ['RequestLimitExceeded', 400],
    ['InternalServerError', 500],
    ['ServiceUnavailable', 503],
  ])('maps %s to a retryable DependencyUnavailableError', async (errorType, status) => {
    fake.on('DynamoDB_20120810.GetItem', () => ({ status, errorType, message: 'slow down' }));
    const failure = await store()
      .get({ userId: 'u', conversationId: 'c' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DependencyUnavailableError);
    expect(failure).toMatchObject({ retryable: true, cause: { name: errorType } });
  });

  it.each([
    ['AccessDeniedException', DependencyUnavailableError, 'DEPENDENCY_UNAVAILABLE'],
    ['ValidationException', CoreError, 'INTERNAL'],
  ])('maps %s to a non-retryable %O', async (errorType, type, code) => {
    fake.on('DynamoDB_20120810.GetItem', () => ({ status: 400, errorType, message: 'no' }));
    const failure = await store()
      .get({ userId: 'u', conversationId: 'c' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(type);
    expect(failure).toMatchObject({ code, retryable: false, cause: { name: errorType } });
  });

  const header = {
    pk: { S: 'USER#u' },
    sk: { S: 'CONV#c' },
    conversationId: { S: 'c' },
    userId: { S: 'u' },
    createdAt: { S: at },
    updatedAt: { S: at },
    version: { N: '0' },
    turnCount: { N: '0' },
    state: { M: { skills: { M: {} } } },
  };
  const cancelled = (code: string) => ({
    status: 400,
    json: {
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      message: 'Transaction cancelled',
      CancellationReasons: [{ Code: code, Message: code }, { Code: 'None' }],
    },
  });
  const append = () => store().appendExchange(exchangeFor(newConversation('u', 'c'), 0, 'x'));

  it('maps a transaction cancelled by throttling to a retryable DependencyUnavailableError', async () => {
    fake.on('DynamoDB_20120810.GetItem', () => ({ json: { Item: header } }));
    fake.on('DynamoDB_20120810.TransactWriteItems', () => cancelled('ThrottlingError'));
    const failure = await append().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DependencyUnavailableError);
    expect(failure).toMatchObject({ retryable: true, cause: { name: 'TransactionCanceledException' } });
  });

  it('sends a transaction cancelled by a TransactionConflict again, and reports lasting contention as a conflict', async () => {
    let calls = 0;
    fake.on('DynamoDB_20120810.GetItem', () => ({ json: { Item: header } }));
    fake.on('DynamoDB_20120810.TransactWriteItems', () =>
      ++calls < 3 ? cancelled('TransactionConflict') : { json: {} },
    );
    await expect(append()).resolves.toMatchObject({ version: 1, turnCount: 1 });
    expect(calls).toBe(3);

    calls = 0;
    fake.on('DynamoDB_20120810.TransactWriteItems', () => (++calls, cancelled('TransactionConflict')));
    const failure = await append().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(VersionConflictError);
    expect(calls).toBe(5);
  });
});
