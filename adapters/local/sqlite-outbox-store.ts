import type { Database } from 'better-sqlite3';
import type { DomainEvent } from '../../core/model/events.js';
import type { OutboxEntry, OutboxStore } from '../shared/outbox-store.js';
import { guarded } from './sqlite-database.js';

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
    peek: db.prepare('SELECT seq, body FROM outbox ORDER BY seq LIMIT ?'),
    remove: db.prepare('DELETE FROM outbox WHERE seq = ?'),
    count: db.prepare('SELECT COUNT(*) AS n FROM outbox'),
  };
}

/**
 * The outbox in the embedded database file, beside the conversations: events that could not be published survive a
 * restart. New rows get a seq above every pending one, so seq order is append order.
 */
export class SqliteOutboxStore implements OutboxStore {
  private readonly db: Database;
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(options: SqliteOutboxStoreOptions) {
    this.db = options.db;
    this.sql = guarded('prepare outbox statements', () => prepareStatements(options.db));
  }

  async append(events: readonly DomainEvent[]): Promise<void> {
    const insertAll = this.db.transaction(() => {
      for (const event of events) this.sql.insert.run(event.id, JSON.stringify(event));
    });
    guarded('append to outbox', () => insertAll.immediate());
  }

  async peek(limit: number): Promise<OutboxEntry[]> {
    const rows = guarded('read outbox', () => this.sql.peek.all(limit) as { seq: number; body: string }[]);
    return rows.map((row) => ({ seq: row.seq, event: JSON.parse(row.body) as DomainEvent }));
  }

  async remove(seqs: readonly number[]): Promise<void> {
    const removeAll = this.db.transaction(() => {
      for (const seq of seqs) this.sql.remove.run(seq);
    });
    guarded('remove from outbox', () => removeAll.immediate());
  }

  async size(): Promise<number> {
    return guarded('count outbox', () => (this.sql.count.get() as { n: number }).n);
  }
}
