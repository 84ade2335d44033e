import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type {
  Conversation,
  ConversationKey,
  ConversationSummary,
  Page,
  PageRequest,
  Turn,
} from '../../../core/model/conversation.js';
import type { IoOptions } from '../../../core/model/io.js';
import {
  CoreError,
  ConversationNotFoundError,
  DependencyUnavailableError,
  ErrorCodes,
  ValidationError,
  VersionConflictError,
} from '../../../core/errors.js';
import { systemClock, systemRandom } from '../../../core/defaults.js';
import { type Clock } from '../../../core/ports/clock.js';
import type {
  AppendExchange,
  ConversationStore,
  ConversationStoreCapabilities,
} from '../../../core/ports/conversation-store.js';
import {
  eventItem,
  headerItem,
  headerKey,
  headerUpdate,
  toConversation,
  toSummary,
  toTurn,
  turnItem,
} from './dynamodb-conversation-items.js';
import { checkPageLimit, decodeCursor, encodeCursor, sortKeyUnder } from './dynamodb-cursor.js';
import { dynamoDbError, errorName, guarded, rejectIfAborted } from './dynamodb-errors.js';
import { backoffDelayMs, sleep, type Random } from '../../shared/backoff.js';
import { deleteKeys, keyOf, queryAll, queryPage, type Item } from './dynamodb-items.js';
import { absentOrExpired, keyQuery, keysOnly, unexpired } from './dynamodb-queries.js';
import {
  TABLE,
  documentClientOf,
  keys,
  plainJson,
  type DocumentClient,
  type DynamoDbClientOptions,
} from './dynamodb-table.js';

export type DynamoDbConversationStoreOptions = DynamoDbClientOptions & {
  tableName: string;
  /** Days a conversation is kept after its last exchange, and each turn after it was written; default 90. */
  retentionDays?: number;
  clock?: Clock;
  /** Jitter for retry backoff; default `systemRandom`. */
  random?: Random;
  /** The `source` written on event items, which the Pipe puts on the bus; the EVENT_SOURCE the publisher uses. */
  eventSource?: string;
  /** Seconds an event item is kept for the stream to relay (its TTL); default one day. */
  eventRetentionSeconds?: number;
};

/** A transaction holds at most 100 items: the header, the turns and the events. */
const MAX_ITEMS_PER_TRANSACTION = 100;
/** A TransactionConflict means another transaction held the header a moment ago; it clears within milliseconds. */
const CONFLICT_ATTEMPTS = 5;
const DAY_SECONDS = 86_400;
/** Cancellation reasons that mean "too busy right now" rather than "this request is wrong". */
const THROTTLED = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/**
 * Conversations in the single DynamoDB table (see dynamodb-table-design.md): a header item per conversation and one
 * item per turn, all in the user's partition, so no request can reach another user's data. `appendExchange` is one
 * TransactWriteItems guarded by the header's version. Items carry `expiresAt` for DynamoDB's TTL, and reads hide
 * items past it, because TTL deletes them only eventually.
 */
export class DynamoDbConversationStore implements ConversationStore {
  readonly capabilities: ConversationStoreCapabilities = { durable: true, ttl: true };
  private readonly client: DocumentClient;
  private readonly tableName: string;
  private readonly retentionSeconds: number;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly eventSource: string;
  private readonly eventRetentionSeconds: number;

  constructor(options: DynamoDbConversationStoreOptions) {
    const days = options.retentionDays ?? 90;
    if (!Number.isFinite(days) || days <= 0) throw new ValidationError(`retentionDays must be positive, got ${days}`);
    this.client = documentClientOf(options);
    this.tableName = options.tableName;
    this.retentionSeconds = Math.round(days * DAY_SECONDS);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? systemRandom;
    this.eventSource = options.eventSource ?? 'voice-assistant';
    this.eventRetentionSeconds = options.eventRetentionSeconds ?? DAY_SECONDS;
  }

  async create({ conversation, signal }: { conversation: Conversation } & IoOptions): Promise<void> {
    rejectIfAborted('create conversation', signal);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: headerItem(conversation, this.expiresAt()),
          ...absentOrExpired(this.nowSeconds()),
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      if (!signal?.aborted && errorName(error) === 'ConditionalCheckFailedException') {
        throw new ValidationError(`conversation ${conversation.id} already exists`, { cause: error });
      }
      throw dynamoDbError('create conversation', error, signal);
    }
  }

  async get({ userId, conversationId, signal }: ConversationKey & IoOptions): Promise<Conversation | undefined> {
    const item = await this.header(userId, conversationId, signal);
    return item && toConversation(item);
  }

  async appendExchange(exchange: AppendExchange & IoOptions): Promise<Conversation> {
    const { userId, conversationId, expectedVersion, turns, signal } = exchange;
    const events = exchange.events ?? [];
    rejectIfAborted('append exchange', signal);
    if (1 + turns.length + events.length > MAX_ITEMS_PER_TRANSACTION)
      throw new ValidationError(
        `an exchange is written in one transaction of at most ${MAX_ITEMS_PER_TRANSACTION} items: the header, ` +
          `${turns.length} turns and ${events.length} events are too many`,
      );
    // A transaction cannot return the updated item, so the header is read first; the version condition below makes
    // sure nothing changed in between, which keeps both the returned conversation and the turn numbering exact.
    const item = await this.header(userId, conversationId, signal);
    if (!item) throw new ConversationNotFoundError(conversationId);
    const current = toConversation(item);
    if (current.version !== expectedVersion) throw new VersionConflictError(conversationId, expectedVersion);
    const expiresAt = this.expiresAt();
    const title = current.title ?? exchange.title;
    const next: Conversation = {
      ...current,
      version: current.version + 1,
      turnCount: current.turnCount + turns.length,
      updatedAt: exchange.at,
      state: plainJson(exchange.state),
      ...(title !== undefined && { title }),
    };
    const puts = turns.map((turn, index) => ({
      Put: {
        TableName: this.tableName,
        Item: turnItem(userId, conversationId, current.turnCount + index, turn, expiresAt),
        ...absentOrExpired(this.nowSeconds()),
      },
    }));
    // Unconditional: the key names this version of the conversation, which only the winning transaction writes.
    const eventExpiresAt = this.nowSeconds() + this.eventRetentionSeconds;
    const eventPuts = events.map((event, index) => ({
      Put: {
        TableName: this.tableName,
        Item: eventItem(userId, conversationId, next.version, index, event, this.eventSource, eventExpiresAt),
      },
    }));
    const update = headerUpdate(this.tableName, exchange, next, expiresAt);
    await this.transact([{ Update: update }, ...puts, ...eventPuts], exchange);
    return next;
  }

  async recentTurns(request: ConversationKey & { limit: number } & IoOptions): Promise<Turn[]> {
    const { userId, conversationId, limit, signal } = request;
    rejectIfAborted('read recent turns', signal);
    if (!Number.isInteger(limit) || limit < 0)
      throw new ValidationError(`recent turn limit must be a non-negative integer, got ${limit}`);
    if (limit === 0) return [];
    const { items } = await guarded(
      'read recent turns',
      () =>
        queryPage(this.client, { ...this.turnQuery(userId, conversationId), ScanIndexForward: false }, limit, signal),
      signal,
    );
    return items.reverse().map(toTurn);
  }

  async turns(request: ConversationKey & PageRequest & IoOptions): Promise<Page<Turn>> {
    const { userId, conversationId, signal, ...page } = request;
    rejectIfAborted('read turns', signal);
    checkPageLimit(page.limit);
    const after = decodeCursor(page.cursor, 't', { s: sortKeyUnder(keys.turnsOf(conversationId)) });
    const pk = keys.user(userId);
    const query = {
      ...this.turnQuery(userId, conversationId),
      ...(after && { ExclusiveStartKey: { [TABLE.partitionKey]: pk, [TABLE.sortKey]: after.s } }),
    };
    const { items, hasMore } = await guarded(
      'read turns',
      () => queryPage(this.client, query, page.limit, signal),
      signal,
    );
    const last = items.at(-1);
    return {
      items: items.map(toTurn),
      ...(hasMore && last && { nextCursor: encodeCursor('t', { s: keyOf(last).sk }) }),
    };
  }

  async list(request: { userId: string } & PageRequest & IoOptions): Promise<Page<ConversationSummary>> {
    const { userId, signal, ...page } = request;
    rejectIfAborted('list conversations', signal);
    checkPageLimit(page.limit);
    const after = decodeCursor(page.cursor, 'c', { r: sortKeyUnder(''), s: sortKeyUnder(keys.conversationPrefix) });
    const pk = keys.user(userId);
    const start = after && {
      [TABLE.partitionKey]: pk,
      [TABLE.sortKey]: after.s,
      [TABLE.indexPartitionKey]: pk,
      [TABLE.indexSortKey]: after.r,
    };
    const query = unexpired(
      {
        TableName: this.tableName,
        IndexName: TABLE.index,
        ScanIndexForward: false,
        ...(start && { ExclusiveStartKey: start }),
        KeyConditionExpression: '#gsi1pk = :pk',
        ExpressionAttributeNames: { '#gsi1pk': TABLE.indexPartitionKey },
        ExpressionAttributeValues: { ':pk': pk },
      },
      this.nowSeconds(),
    );
    const { items, hasMore } = await guarded(
      'list conversations',
      () => queryPage(this.client, query, page.limit, signal),
      signal,
    );
    const last = items.at(-1);
    return {
      items: items.map(toSummary),
      ...(hasMore &&
        last && { nextCursor: encodeCursor('c', { r: String(last[TABLE.indexSortKey]), s: keyOf(last).sk }) }),
    };
  }

  async delete({ userId, conversationId, signal }: ConversationKey & IoOptions): Promise<boolean> {
    // Turns go first: a failure half-way then leaves a header to retry the delete from, never turns without one.
    await this.deleteAll('delete turns', keyQuery(this.tableName, userId, keys.turnsOf(conversationId)), signal);
    const removed = await guarded(
      'delete conversation',
      () =>
        this.client.send(
          new DeleteCommand({
            TableName: this.tableName,
            ReturnValues: 'ALL_OLD',
            Key: headerKey(userId, conversationId),
          }),
          { abortSignal: signal },
        ),
      signal,
    );
    return removed.Attributes !== undefined && !this.isExpired(removed.Attributes);
  }

  async deleteAllForUser({ userId, signal }: { userId: string } & IoOptions): Promise<number> {
    await this.deleteAll('delete turns of user', keyQuery(this.tableName, userId, keys.turnPrefix), signal);
    // Event items not yet expired carry what the user said; erasure takes them too.
    await this.deleteAll('delete events of user', keyQuery(this.tableName, userId, keys.eventPrefix), signal);
    return this.deleteAll(
      'delete conversations of user',
      keyQuery(this.tableName, userId, keys.conversationPrefix),
      signal,
    );
  }

  /** Deletes every item the query finds, page by page; returns how many of them had not expired yet. */
  private async deleteAll(
    operation: string,
    query: QueryCommandInput,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    return guarded(
      operation,
      async () => {
        let live = 0;
        for await (const items of queryAll(this.client, keysOnly(query), signal)) {
          live += items.filter((item) => !this.isExpired(item)).length;
          await deleteKeys(this.client, this.tableName, items.map(keyOf), { random: this.random, signal });
        }
        return live;
      },
      signal,
    );
  }

  private async header(
    userId: string,
    conversationId: string,
    signal: AbortSignal | undefined,
  ): Promise<Item | undefined> {
    const { Item: item } = await guarded(
      'get conversation',
      () =>
        this.client.send(
          new GetCommand({ TableName: this.tableName, ConsistentRead: true, Key: headerKey(userId, conversationId) }),
          { abortSignal: signal },
        ),
      signal,
    );
    return item && !this.isExpired(item) ? item : undefined;
  }

  private async transact(
    items: NonNullable<TransactWriteCommand['input']['TransactItems']>,
    exchange: AppendExchange & IoOptions,
  ): Promise<void> {
    const { conversationId, expectedVersion, signal } = exchange;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.client.send(new TransactWriteCommand({ TransactItems: items }), { abortSignal: signal });
        return;
      } catch (error) {
        if (signal?.aborted || errorName(error) !== 'TransactionCanceledException')
          throw dynamoDbError('append exchange', error, signal);
        const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
        const [header, ...turns] = reasons.map((reason) => reason.Code);
        if (header === 'ConditionalCheckFailed') {
          // ALL_OLD hands back the header as it was: there is none when the conversation was deleted meanwhile.
          if (reasons[0]?.Item === undefined) throw new ConversationNotFoundError(conversationId, { cause: error });
          throw new VersionConflictError(conversationId, expectedVersion, { cause: error });
        }
        if (turns.includes('ConditionalCheckFailed')) {
          throw new CoreError(ErrorCodes.INTERNAL, `dynamodb: turns of ${conversationId} exist beyond its turn count`, {
            cause: error,
          });
        }
        if (reasons.some((reason) => reason.Code === 'TransactionConflict')) {
          // Still contended after the retries: another writer is busy with this conversation, so re-read and retry.
          if (attempt === CONFLICT_ATTEMPTS)
            throw new VersionConflictError(conversationId, expectedVersion, { cause: error });
          await sleep(backoffDelayMs(attempt, { baseMs: 10, random: this.random }), signal, 'dynamodb');
          continue;
        }
        const codes = reasons.map((reason) => reason.Code).join(', ');
        if (reasons.some((reason) => THROTTLED.has(reason.Code ?? ''))) {
          throw new DependencyUnavailableError('dynamodb', `append exchange throttled (${codes})`, { cause: error });
        }
        throw new CoreError(ErrorCodes.INTERNAL, `dynamodb: append exchange cancelled (${codes})`, { cause: error });
      }
    }
  }

  private turnQuery(userId: string, conversationId: string): QueryCommandInput {
    const query = keyQuery(this.tableName, userId, keys.turnsOf(conversationId));
    return { ...unexpired(query, this.nowSeconds()), ConsistentRead: true };
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  private expiresAt(): number {
    return this.nowSeconds() + this.retentionSeconds;
  }

  private isExpired(item: Item): boolean {
    const expiresAt = item[TABLE.ttlAttribute];
    return typeof expiresAt === 'number' && expiresAt <= this.nowSeconds();
  }
}
