import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { TABLE, keys } from './dynamodb-table.js';

/** The items of one user's partition whose sort key begins with `prefix`. */
export function keyQuery(tableName: string, userId: string, prefix: string): QueryCommandInput {
  return {
    TableName: tableName,
    KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
    ExpressionAttributeValues: { ':pk': keys.user(userId), ':prefix': prefix },
  };
}

/** Only the keys and the expiry: enough to delete an item and to tell whether it still counted. */
export function keysOnly(query: QueryCommandInput): QueryCommandInput {
  return {
    ...query,
    ProjectionExpression: '#pk, #sk, #expiresAt',
    ExpressionAttributeNames: {
      ...query.ExpressionAttributeNames,
      '#pk': TABLE.partitionKey,
      '#sk': TABLE.sortKey,
      '#expiresAt': TABLE.ttlAttribute,
    },
  };
}

/** The query without the items past their `expiresAt` at `nowSeconds`, which TTL deletes only eventually. */
export function unexpired(query: QueryCommandInput, nowSeconds: number): QueryCommandInput {
  return {
    ...query,
    FilterExpression: 'attribute_not_exists(#expiresAt) OR #expiresAt > :now',
    ExpressionAttributeNames: { ...query.ExpressionAttributeNames, '#expiresAt': TABLE.ttlAttribute },
    ExpressionAttributeValues: { ...query.ExpressionAttributeValues, ':now': nowSeconds },
  };
}

/**
 * Lets a put replace an item only where none is, or where one has expired but TTL has not removed it yet: to every
 * reader it is gone already, so its id (and the turn numbers under it) may be taken again.
 */
export function absentOrExpired(nowSeconds: number) {
  return {
    ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt <= :now',
    ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#expiresAt': TABLE.ttlAttribute },
    ExpressionAttributeValues: { ':now': nowSeconds },
  };
}
