import { DynamoDbConversationStore } from '../../adapters/aws/dynamodb/dynamodb-conversation-store.js';
import { describeConversationStoreContract } from '../contract/conversation-store.contract.js';
import { describeWithContainers } from './support/containers.js';
import { useDynamoDbLocalTable } from './support/dynamodb.js';

// The suite's 50 concurrent writers queue up inside one JVM on a small, busy machine: a generous request timeout.
const REQUEST_TIMEOUT_MS = 30_000;

describeWithContainers('DynamoDbConversationStore in a DynamoDB Local container', () => {
  const table = useDynamoDbLocalTable({ requestTimeoutMs: REQUEST_TIMEOUT_MS });

  describeConversationStoreContract('DynamoDbConversationStore (container)', async () => ({
    store: new DynamoDbConversationStore({ client: table.client(), tableName: table.tableName() }),
    // A new client and store over the same table, as a fresh Lambda container would see it.
    reopen: async () => new DynamoDbConversationStore({ client: table.reopenedClient(), tableName: table.tableName() }),
  }));
});
