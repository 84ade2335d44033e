import type { Database } from 'better-sqlite3';
import type { IoOptions } from '../../core/model/io.js';
import type { UserProfile } from '../../core/model/profile.js';
import { throwIfAborted } from '../../core/errors.js';
import type { UserProfileStore } from '../../core/ports/user-profile-store.js';
import { guarded } from './sqlite-database.js';
import { knownRowsOf, type SqliteKnownRows } from './sqlite-known-rows.js';

export interface SqliteUserProfileStoreOptions {
  /** A database opened by `openSqliteDatabase`, which owns the schema; the caller closes it. */
  db: Database;
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database) {
  return {
    get: db.prepare('SELECT body FROM profiles WHERE user_id = ?').pluck(),
    put: db.prepare(
      `INSERT INTO profiles (user_id, body, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
    ),
    delete: db.prepare('DELETE FROM profiles WHERE user_id = ?'),
  };
}

const PROFILES = 'profiles';

/** User profiles in the embedded SQLite database, one JSON document per user; a put replaces the whole profile. */
export class SqliteUserProfileStore implements UserProfileStore {
  private readonly sql: Statements;
  /**
   * Profile bodies this connection read or wrote (null: the user has none), while no other connection has written to
   * the file (sqlite-known-rows.ts): a turn reads its user's preferences without a query of its own.
   */
  private readonly known: SqliteKnownRows;

  constructor(options: SqliteUserProfileStoreOptions) {
    this.sql = guarded('prepare profile statements', () => prepareStatements(options.db));
    this.known = guarded('prepare profile statements', () => knownRowsOf(options.db));
  }

  async get({ userId, signal }: { userId: string } & IoOptions): Promise<UserProfile | undefined> {
    throwIfAborted(signal);
    const body = guarded('get profile', () => {
      const bodies = this.known.fresh<string | null>(PROFILES);
      const knownBody = bodies.get(userId);
      if (knownBody !== undefined) return knownBody;
      // Looked up after the check: a commit elsewhere in between empties the rows at the next check.
      const read = (this.sql.get.get(userId) as string | undefined) ?? null;
      bodies.set(userId, read);
      return read;
    });
    return body === null ? undefined : (JSON.parse(body) as UserProfile);
  }

  async put({ profile, signal }: { profile: UserProfile } & IoOptions): Promise<void> {
    throwIfAborted(signal);
    const body = JSON.stringify(profile);
    try {
      guarded('put profile', () => this.sql.put.run(profile.userId, body, profile.updatedAt));
      this.known.rows<string | null>(PROFILES).set(profile.userId, body);
    } catch (error) {
      this.known.rows(PROFILES).delete(profile.userId);
      throw error;
    }
  }

  async delete({ userId, signal }: { userId: string } & IoOptions): Promise<boolean> {
    throwIfAborted(signal);
    try {
      return guarded('delete profile', () => this.sql.delete.run(userId).changes > 0);
    } finally {
      this.known.rows(PROFILES).delete(userId);
    }
  }
}
