import { BatchWriteCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { DependencyUnavailableError } from '../../../core/errors.js';
import { backoffDelayMs, sleep, type Random } from '../../shared/backoff.js';
import { TABLE, type DocumentClient } from './dynamodb-table.js';

export type Item = Record<string, unknown>;
export interface ItemKey {
  pk: string;
  sk: string;
}

/** BatchWriteItem's limit per request. */
const BATCH_SIZE = 25;
const BATCH_ATTEMPTS = 6;
const BACKOFF_BASE_MS = 25;

/**
 * Up to `limit` items from where `input` starts, and whether more follow. One item past the page is read so the last
 * page ends without a cursor; the loop also covers DynamoDB stopping early at 1 MB or after a filter dropped items.
 */
export async function queryPage(
  client: DocumentClient,
  input: QueryCommandInput,
  limit: number,
  signal?: AbortSignal,
): Promise<{ items: Item[]; hasMore: boolean }> {
  const items: Item[] = [];
  let start = input.ExclusiveStartKey;
  do {
    const page = await client.send(
      new QueryCommand({ ...input, Limit: limit + 1 - items.length, ExclusiveStartKey: start }),
      { abortSignal: signal },
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined && items.length <= limit);
  return { items: items.slice(0, limit), hasMore: items.length > limit };
}

/** Every page a query yields, one DynamoDB response at a time, so callers can act on a page before reading the next. */
export async function* queryAll(
  client: DocumentClient,
  input: QueryCommandInput,
  signal?: AbortSignal,
): AsyncGenerator<Item[]> {
  let start = input.ExclusiveStartKey;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }), { abortSignal: signal });
    yield page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
}

export function keyOf(item: Item): ItemKey {
  return { pk: String(item[TABLE.partitionKey]), sk: String(item[TABLE.sortKey]) };
}

/**
 * Deletes the keys in batches of 25. DynamoDB may leave some of a batch unprocessed when throttled; those are sent
 * again with exponential backoff, and if some still remain the call fails rather than report a partial delete as done.
 */
export async function deleteKeys(
  client: DocumentClient,
  tableName: string,
  keys: readonly ItemKey[],
  io: { random: Random; signal?: AbortSignal },
): Promise<void> {
  for (let offset = 0; offset < keys.length; offset += BATCH_SIZE) {
    let pending = keys.slice(offset, offset + BATCH_SIZE).map((key) => ({ DeleteRequest: { Key: { ...key } } }));
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt === BATCH_ATTEMPTS) {
        throw new DependencyUnavailableError(
          'dynamodb',
          `batch delete: ${pending.length} deletes still unprocessed after ${attempt} attempts`,
          {
            details: { unprocessed: pending.length },
          },
        );
      }
      if (attempt > 0)
        await sleep(backoffDelayMs(attempt - 1, { baseMs: BACKOFF_BASE_MS, random: io.random }), io.signal, 'dynamodb');
      const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }), {
        abortSignal: io.signal,
      });
      pending = (result.UnprocessedItems?.[tableName] ?? []).flatMap((request) =>
        request.DeleteRequest?.Key ? [{ DeleteRequest: { Key: keyOf(request.DeleteRequest.Key) } }] : [],
      );
    }
  }
}
