import { DynamoDbUserProfileStore } from '../../adapters/aws/dynamodb/dynamodb-user-profile-store.js';
import { describeUserProfileStoreContract } from '../contract/user-profile-store.contract.js';
import { describeWithContainers } from './support/containers.js';
import { useDynamoDbLocalTable } from './support/dynamodb.js';

// Generous: the first requests to a JVM that has just started can take seconds on a busy CI machine.
const REQUEST_TIMEOUT_MS = 30_000;

describeWithContainers('DynamoDbUserProfileStore in a DynamoDB Local container', () => {
  const table = useDynamoDbLocalTable({ requestTimeoutMs: REQUEST_TIMEOUT_MS });

  describeUserProfileStoreContract('DynamoDbUserProfileStore (container)', async () => ({
    store: new DynamoDbUserProfileStore({ client: table.client(), tableName: table.tableName() }),
    reopen: async () => new DynamoDbUserProfileStore({ client: table.reopenedClient(), tableName: table.tableName() }),
  }));
});
