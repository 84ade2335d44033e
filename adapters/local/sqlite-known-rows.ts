import type { Database, Statement } from 'better-sqlite3';

/** Rows kept per table; past it the table's map starts over (a server's active conversations fit many times). */
const MAX_ROWS = 10_000;

/**
 * Rows this connection read or committed itself, kept only while no other connection has committed to the file.
 *
 * `PRAGMA data_version` changes whenever another connection (another process, the checkpointer's worker resetting the
 * WAL) commits, and never for this connection's own commits. So a row this connection read or wrote stays exactly
 * what the file holds until that number moves, as long as every write of this connection to the table keeps the map
 * in step (the stores that own the tables do). One check per use costs about as much as reading a one-column row,
 * and spares the rest: reading a wide row into an object, or an UPDATE's RETURNING.
 *
 * One per connection (`knownRowsOf`), shared by every store on it.
 */
export class SqliteKnownRows {
  private readonly dataVersion: Statement;
  private seen: unknown;
  private readonly tables = new Map<string, Map<string, unknown>>();
  /** Set by a look at the file outside a transaction, until the synchronous run that made it ends. */
  private looked = false;
  private readonly lookAgain = (): void => {
    this.looked = false;
  };

  constructor(private readonly db: Database) {
    this.dataVersion = db.prepare('PRAGMA data_version').pluck();
  }

  /**
   * The rows kept for `table`, emptied first if another connection has committed since the last look. Inside a write
   * transaction the answer holds until it ends: no other connection can commit meanwhile.
   *
   * Outside a transaction, one look serves the rest of the synchronous run that made it (until the next microtask):
   * a turn reads its conversation and its user's preferences side by side, and each look is a read transaction of its
   * own (a WAL read lock taken and released through the -shm file). Nothing that arrived after the look can be
   * handled within that run, so a read answered from it is as fresh as one that looked itself.
   */
  fresh<V>(table: string): Map<string, V> {
    if (!this.looked || this.db.inTransaction) {
      const version = this.dataVersion.get();
      if (version !== this.seen) {
        for (const rows of this.tables.values()) rows.clear();
        this.seen = version;
      }
      if (!this.looked && !this.db.inTransaction) {
        this.looked = true;
        queueMicrotask(this.lookAgain);
      }
    }
    return this.rows<V>(table);
  }

  /**
   * The rows kept for `table`, without looking for other connections' commits: to keep them in step after a write.
   * Past `maxRows` (default 10,000) the table's map starts over.
   */
  rows<V>(table: string, maxRows = MAX_ROWS): Map<string, V> {
    let rows = this.tables.get(table);
    if (!rows) {
      rows = new Map();
      this.tables.set(table, rows);
    }
    if (rows.size >= maxRows) rows.clear();
    return rows as Map<string, V>;
  }
}

const perConnection = new WeakMap<Database, SqliteKnownRows>();

/** The known rows of `db`, made on first use: every store on one connection shares them. */
export function knownRowsOf(db: Database): SqliteKnownRows {
  let known = perConnection.get(db);
  if (!known) {
    known = new SqliteKnownRows(db);
    perConnection.set(db, known);
  }
  return known;
}
