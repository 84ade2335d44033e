import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { CoreError, DependencyUnavailableError } from '../../core/errors.js';

export type { Database };

/** Applied in order, each once, each in its own transaction; append new entries, never edit applied ones. */
const migrations: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE conversations (
        user_id    TEXT    NOT NULL,
        id         TEXT    NOT NULL,
        title      TEXT,
        created_at TEXT    NOT NULL,
        updated_at TEXT    NOT NULL,
        version    INTEGER NOT NULL,
        turn_count INTEGER NOT NULL,
        state      TEXT    NOT NULL,
        PRIMARY KEY (user_id, id)
      ) WITHOUT ROWID;
      CREATE INDEX conversations_newest_first ON conversations (user_id, updated_at DESC, id DESC);
      CREATE TABLE turns (
        user_id         TEXT    NOT NULL,
        conversation_id TEXT    NOT NULL,
        seq             INTEGER NOT NULL,
        body            TEXT    NOT NULL,
        PRIMARY KEY (user_id, conversation_id, seq),
        FOREIGN KEY (user_id, conversation_id) REFERENCES conversations (user_id, id) ON DELETE CASCADE
      ) WITHOUT ROWID;
      CREATE TABLE profiles (
        user_id    TEXT NOT NULL PRIMARY KEY,
        body       TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    // No AUTOINCREMENT: a new row's seq is above every pending one, which is all the outbox's order needs.
    sql: `
      CREATE TABLE outbox (
        seq         INTEGER PRIMARY KEY,
        event_id    TEXT    NOT NULL UNIQUE,
        body        TEXT    NOT NULL,
        enqueued_at TEXT    NOT NULL
      );
    `,
  },
];

/** The newest schema version this build knows; a database written by a newer build is refused rather than misread. */
export const SQLITE_SCHEMA_VERSION = migrations.reduce((max, m) => Math.max(max, m.version), 0);

/**
 * Opens (creating if needed) the embedded database and brings its schema up to date. WAL lets readers proceed while
 * one writer commits; busy_timeout makes a second writer wait instead of failing at once. `':memory:'` is allowed.
 */
export function openSqliteDatabase(path: string): Database {
  let db: Database | undefined;
  try {
    if (path !== ':memory:' && path !== '' && !path.startsWith('file:')) {
      // A first start has no data directory yet, and SQLite creates the file but never its directory. The file is
      // created here, owner-only, because SQLite would make it world-readable and gives its -wal and -shm its mode.
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      createPrivateFile(path);
    }
    db = new BetterSqlite3(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    // SQLite's own default page cache (2 MB), not better-sqlite3's 16 MB: under load that cache filled with the turns
    // written, ~10 MB more RSS a minute on a server that has 150 MB in all, and the OS caches the file anyway.
    db.pragma('cache_size = -2000');
    migrate(db);
    return db;
  } catch (error) {
    db?.close();
    throw toCoreError(error, `cannot open ${path}`);
  }
}

/** Creates an empty file readable by its owner only, unless it exists (its mode is then the caller's business). */
function createPrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

function migrate(db: Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  const current = row.version ?? 0;
  if (current > SQLITE_SCHEMA_VERSION) {
    throw unavailable(`schema version ${current} is newer than ${SQLITE_SCHEMA_VERSION}`, undefined, false);
  }
  const record = db.prepare(
    "INSERT INTO schema_migrations (version, applied_at) VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ'))",
  );
  for (const migration of migrations.filter((m) => m.version > current)) {
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version);
    }).immediate();
  }
}

/** SQLite result-code prefixes that mean "the database cannot serve this now", not "the request is wrong". */
const transient = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_NOMEM', 'SQLITE_PROTOCOL'];
const broken = ['SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_PERM', 'SQLITE_AUTH'];

/**
 * Maps a failure of better-sqlite3 to the core's errors: contention and disk trouble become a retryable
 * DependencyUnavailableError, a closed or unusable database a non-retryable one. CoreErrors pass through, and anything
 * else (a bug in a statement) is rethrown unchanged so it is not mistaken for an outage.
 */
export function toCoreError(error: unknown, operation: string): unknown {
  if (error instanceof CoreError) return error;
  if (error instanceof BetterSqlite3.SqliteError) {
    const { code } = error;
    if (transient.some((prefix) => code.startsWith(prefix)))
      return unavailable(`${operation} failed: ${code}`, error, true);
    if (broken.some((prefix) => code.startsWith(prefix)))
      return unavailable(`${operation} failed: ${code}`, error, false);
    return error;
  }
  if (error instanceof TypeError && /database connection is not open/i.test(error.message)) {
    return unavailable(`${operation} failed: database is closed`, error, false);
  }
  return error;
}

function unavailable(message: string, cause: unknown, retryable: boolean): DependencyUnavailableError {
  return new DependencyUnavailableError(
    'sqlite',
    message,
    retryable ? { cause } : { cause, retryable, retryAfterSeconds: undefined },
  );
}

/** Runs a synchronous database operation, translating its failures with `toCoreError`. */
export function guarded<T>(operation: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw toCoreError(error, operation);
  }
}
