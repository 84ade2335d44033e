import {
  DynamoDBClient,
  type CreateTableCommandInput,
  type DynamoDBClientConfig,
  type TimeToLiveSpecification,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The one table behind the DynamoDB stores; `dynamodb-table-design.md` beside this file explains the layout. */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  index: 'gsi1',
  indexPartitionKey: 'gsi1pk',
  indexSortKey: 'gsi1sk',
  ttlAttribute: 'expiresAt',
} as const;

/** What a conversation listing reads from the index; the dialogue state stays out of it to keep the index small. */
const LISTED_ATTRIBUTES = ['conversationId', 'title', 'createdAt', 'updatedAt', 'turnCount', TABLE.ttlAttribute];

/**
 * CreateTable input plus the TTL setting. CloudFormation takes `TimeToLiveSpecification` inline; the API does not:
 * CreateTable silently drops it, so send it afterwards with UpdateTimeToLive or the table never expires anything.
 */
export type DynamoDbTableDefinition = CreateTableCommandInput & {
  TableName: string;
  TimeToLiveSpecification: TimeToLiveSpecification;
};

/** The table every DynamoDB store expects; tests create it from here and the CloudFormation template mirrors it. */
export function dynamoDbTableDefinition(tableName: string): DynamoDbTableDefinition {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: TABLE.sortKey, AttributeType: 'S' },
      { AttributeName: TABLE.indexPartitionKey, AttributeType: 'S' },
      { AttributeName: TABLE.indexSortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: TABLE.index,
        KeySchema: [
          { AttributeName: TABLE.indexPartitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE.indexSortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...LISTED_ATTRIBUTES] },
      },
    ],
    TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
    // The event items' relay: an EventBridge Pipe (or DynamoDbStreamEventRelay outside AWS) reads new images.
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  };
}

/*
 * Ids are percent-encoded inside keys, so an id containing '#' can never reach into another id's key range
 * (conversation "a#b" must not match the turn prefix of conversation "a").
 */
const part = (id: string) => encodeURIComponent(id);

export const keys = {
  user: (userId: string) => `USER#${part(userId)}`,
  conversation: (conversationId: string) => `CONV#${part(conversationId)}`,
  conversationPrefix: 'CONV#',
  /** Every turn of the user, across conversations. */
  turnPrefix: 'TURN#',
  turnsOf: (conversationId: string) => `TURN#${part(conversationId)}#`,
  /** Zero-padded so the string order of sort keys is the order the turns were appended in. */
  turn: (conversationId: string, seq: number) => `TURN#${part(conversationId)}#${String(seq).padStart(10, '0')}`,
  /** Every event item of the user, across conversations. */
  eventPrefix: 'EVENT#',
  /**
   * An exchange's events, in order: under the version the exchange wrote, numbered within it. The event id at the end
   * keeps every write a new item (a stream INSERT, which is all the Pipe relays), even for a re-used conversation id.
   */
  event: (conversationId: string, version: number, index: number, eventId: string) =>
    `EVENT#${part(conversationId)}#${String(version).padStart(10, '0')}#${String(index).padStart(3, '0')}#${part(eventId)}`,
  profile: 'PROFILE',
  recency: (updatedAt: string, conversationId: string) => `${updatedAt}#${part(conversationId)}`,
} as const;

/** The one client shape the stores use; any DynamoDBDocumentClient fits. */
export type DocumentClient = Pick<DynamoDBDocumentClient, 'send'>;

/** Either a ready client (shared by both stores, the usual case) or a config to build one; never both. */
export type DynamoDbClientOptions =
  { client: DocumentClient; clientConfig?: never } | { client?: never; clientConfig?: DynamoDBClientConfig };

/** The document client as the stores expect it: undefined optional fields are dropped rather than rejected. */
export function createDynamoDbDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), { marshallOptions: { removeUndefinedValues: true } });
}

export function documentClientOf(options: DynamoDbClientOptions): DocumentClient {
  return options.client ?? createDynamoDbDocumentClient(options.clientConfig);
}

/** JSON in, JSON out: values are stored as DynamoDB maps of plain JSON, like the other stores keep them as JSON text. */
export function plainJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
