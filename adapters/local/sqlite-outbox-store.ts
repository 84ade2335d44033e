import type { Database } from 'better-sqlite3';
import type { DomainEvent } from '../../core/model/events.js';
import type { OutboxEntry, OutboxStore } from '../shared/outbox-store.js';
import { guarded } from './sqlite-database.js';
import { groupCommitOf, type SqliteGroupCommit } from './sqlite-group-commit.js';
import { limitedStatement } from './sqlite-limited-statement.js';

export interface SqliteOutboxStoreOptions {
  /** A database opened by `openSqliteDatabase` (which creates the outbox table); the caller closes it. */
  db: Database;
}

function prepareStatements(db: Database) {
  return {
    insert: db.prepare(
      `INSERT INTO outbox (event_id, body, enqueued_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ'))
       ON CONFLICT (event_id) DO NOTHING`,
    ),
    // The limit in the SQL (one statement per limit): SQLite recompiles a bound `LIMIT ?` on every run.
    peek: limitedStatement(db, 'SELECT seq, body FROM outbox ORDER BY seq LIMIT {limit}'),
    remove: db.prepare('DELETE FROM outbox WHERE seq = ?'),
    count: db.prepare('SELECT COUNT(*) AS n FROM outbox'),
  };
}

function prepareTransactions(db: Database, sql: ReturnType<typeof prepareStatements>) {
  return {
    insertAll: db.transaction((events: readonly DomainEvent[]) => {
      for (const event of events) sql.insert.run(event.id, JSON.stringify(event));
    }),
  };
}

/**
 * The outbox in the embedded database file, beside the conversations: events that could not be published survive a
 * restart. New rows get a seq above every pending one, so seq order is append order.
 */
export class SqliteOutboxStore implements OutboxStore {
  private readonly sql: ReturnType<typeof prepareStatements>;
  /** Built once: better-sqlite3 builds and redefines five wrapper functions per `db.transaction` call. */
  private readonly tx: ReturnType<typeof prepareTransactions>;
  /**
   * The connection's group commit, which the conversation store's appends use too: removing what the relay delivered
   * joins the round of the turns finishing meanwhile instead of committing on its own (one commit per round, not two).
   */
  private readonly rounds: SqliteGroupCommit;

  constructor(options: SqliteOutboxStoreOptions) {
    this.sql = guarded('prepare outbox statements', () => prepareStatements(options.db));
    this.tx = guarded('prepare outbox transactions', () => prepareTransactions(options.db, this.sql));
    this.rounds = groupCommitOf(options.db);
  }

  async append(events: readonly DomainEvent[]): Promise<void> {
    guarded('append to outbox', () => this.tx.insertAll.immediate(events));
  }

  async peek(limit: number): Promise<OutboxEntry[]> {
    const rows = guarded('read outbox', () => this.sql.peek(limit).all() as { seq: number; body: string }[]);
    return rows.map((row) => ({ seq: row.seq, event: JSON.parse(row.body) as DomainEvent }));
  }

  async remove(seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    const { remove } = this.sql;
    await this.rounds.run('remove from outbox', () => {
      for (const seq of seqs) remove.run(seq);
    });
  }

  async size(): Promise<number> {
    return guarded('count outbox', () => (this.sql.count.get() as { n: number }).n);
  }
}
