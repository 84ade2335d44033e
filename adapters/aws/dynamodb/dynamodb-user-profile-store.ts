import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { IoOptions } from '../../../core/model/io.js';
import type { Preferences, UserProfile } from '../../../core/model/profile.js';
import type { UserProfileStore } from '../../../core/ports/user-profile-store.js';
import { guarded } from './dynamodb-errors.js';
import {
  TABLE,
  documentClientOf,
  keys,
  plainJson,
  type DocumentClient,
  type DynamoDbClientOptions,
} from './dynamodb-table.js';

export type DynamoDbUserProfileStoreOptions = DynamoDbClientOptions & { tableName: string };

/**
 * User profiles in the single DynamoDB table: one item per user, in the user's own partition beside the
 * conversations (see dynamodb-table-design.md). Profiles carry no expiry: they are settings, not history.
 */
export class DynamoDbUserProfileStore implements UserProfileStore {
  private readonly client: DocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoDbUserProfileStoreOptions) {
    this.client = documentClientOf(options);
    this.tableName = options.tableName;
  }

  async get({ userId, signal }: { userId: string } & IoOptions): Promise<UserProfile | undefined> {
    const { Item: item } = await guarded(
      'get profile',
      () =>
        this.client.send(new GetCommand({ TableName: this.tableName, Key: this.key(userId), ConsistentRead: true }), {
          abortSignal: signal,
        }),
      signal,
    );
    if (!item) return undefined;
    return {
      userId: item['userId'] as string,
      updatedAt: item['updatedAt'] as string,
      preferences: item['preferences'] as Preferences,
    };
  }

  async put({ profile, signal }: { profile: UserProfile } & IoOptions): Promise<void> {
    const item = {
      ...this.key(profile.userId),
      type: 'profile',
      userId: profile.userId,
      updatedAt: profile.updatedAt,
      preferences: plainJson(profile.preferences),
    };
    await guarded(
      'put profile',
      () => this.client.send(new PutCommand({ TableName: this.tableName, Item: item }), { abortSignal: signal }),
      signal,
    );
  }

  async delete({ userId, signal }: { userId: string } & IoOptions): Promise<boolean> {
    const { Attributes: removed } = await guarded(
      'delete profile',
      () =>
        this.client.send(
          new DeleteCommand({ TableName: this.tableName, Key: this.key(userId), ReturnValues: 'ALL_OLD' }),
          { abortSignal: signal },
        ),
      signal,
    );
    return removed !== undefined;
  }

  private key(userId: string): Record<string, string> {
    return { [TABLE.partitionKey]: keys.user(userId), [TABLE.sortKey]: keys.profile };
  }
}
