import type { Database } from 'better-sqlite3';
import type { IoOptions } from '../../core/model/io.js';
import type { UserProfile } from '../../core/model/profile.js';
import { throwIfAborted } from '../../core/errors.js';
import type { UserProfileStore } from '../../core/ports/user-profile-store.js';
import { guarded } from './sqlite-database.js';

export interface SqliteUserProfileStoreOptions {
  /** A database opened by `openSqliteDatabase`, which owns the schema; the caller closes it. */
  db: Database;
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database) {
  return {
    get: db.prepare('SELECT body FROM profiles WHERE user_id = ?'),
    put: db.prepare(
      `INSERT INTO profiles (user_id, body, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
    ),
    delete: db.prepare('DELETE FROM profiles WHERE user_id = ?'),
  };
}

/** User profiles in the embedded SQLite database, one JSON document per user; a put replaces the whole profile. */
export class SqliteUserProfileStore implements UserProfileStore {
  private readonly sql: Statements;

  constructor(options: SqliteUserProfileStoreOptions) {
    this.sql = guarded('prepare profile statements', () => prepareStatements(options.db));
  }

  async get({ userId, signal }: { userId: string } & IoOptions): Promise<UserProfile | undefined> {
    throwIfAborted(signal);
    const row = guarded('get profile', () => this.sql.get.get(userId) as { body: string } | undefined);
    return row && (JSON.parse(row.body) as UserProfile);
  }

  async put({ profile, signal }: { profile: UserProfile } & IoOptions): Promise<void> {
    throwIfAborted(signal);
    guarded('put profile', () => this.sql.put.run(profile.userId, JSON.stringify(profile), profile.updatedAt));
  }

  async delete({ userId, signal }: { userId: string } & IoOptions): Promise<boolean> {
    throwIfAborted(signal);
    return guarded('delete profile', () => this.sql.delete.run(userId).changes > 0);
  }
}
