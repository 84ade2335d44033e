import type { Database } from 'better-sqlite3';
import type { DomainEvent } from '../../core/model/events.js';
import type { OutboxEntry, OutboxStore } from '../shared/outbox-store.js';
import { guarded } from './sqlite-database.js';
import { groupCommitOf, type SqliteGroupCommit } from './sqlite-group-commit.js';
import { limitedStatement } from './sqlite-limited-statement.js';

export interface SqliteOutboxStoreOptions {
  /** A database opened by `openSqliteDatabase` (which creates the outbox table); the caller closes it. */
  db: Database;
  /**
   * Longest a removal waits for a round of other writes to ride on before it commits on its own; default 20 ms.
   * Meanwhile the removed entries are hidden from `peek` in this process, and only another process could deliver
   * them again (delivery is at least once).
   */
  removalWithinMs?: number;
}

interface Row {
  seq: number;
  event_id: string;
  body: string;
}

function prepareStatements(db: Database) {
  return {
    insert: db.prepare(
      `INSERT INTO outbox (event_id, body, enqueued_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ'))
       ON CONFLICT (event_id) DO NOTHING`,
    ),
    // The limit in the SQL (one statement per limit): SQLite recompiles a bound `LIMIT ?` on every run.
    peek: limitedStatement(db, 'SELECT seq, event_id, body FROM outbox ORDER BY seq LIMIT {limit}'),
    // By seq and event id: a seq is reused once the highest rows are gone (no AUTOINCREMENT), so an entry erased with
    // its user meanwhile must not take a newer event with it.
    remove: db.prepare('DELETE FROM outbox WHERE seq = ? AND event_id = ?'),
    removeSeq: db.prepare('DELETE FROM outbox WHERE seq = ?'),
    count: db.prepare('SELECT COUNT(*) AS n FROM outbox').pluck(),
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
 *
 * Delivered entries are forgotten in the next round of the connection's group commit, which the turns finishing
 * meanwhile start anyway (`SqliteGroupCommit.ride`): no commit of their own, and the outbox's pages are written once
 * for the rows a round removes and the rows it adds. Until that round commits, this store's `peek` skips them.
 */
export class SqliteOutboxStore implements OutboxStore {
  private readonly sql: ReturnType<typeof prepareStatements>;
  /** Built once: better-sqlite3 builds and redefines five wrapper functions per `db.transaction` call. */
  private readonly tx: ReturnType<typeof prepareTransactions>;
  /** The connection's group commit, which the conversation store's appends use too. */
  private readonly rounds: SqliteGroupCommit;
  private readonly removalWithinMs: number;
  /** Event ids of the entries the last peeks returned, by seq: what `remove` deletes besides the seq. */
  private readonly peeked = new Map<number, string>();
  /** Entries removed but not yet committed as such (by seq, with their event id, or '' when not known). */
  private readonly removing = new Map<number, string>();

  constructor(options: SqliteOutboxStoreOptions) {
    this.sql = guarded('prepare outbox statements', () => prepareStatements(options.db));
    this.tx = guarded('prepare outbox transactions', () => prepareTransactions(options.db, this.sql));
    this.rounds = groupCommitOf(options.db);
    this.removalWithinMs = options.removalWithinMs ?? 20;
  }

  async append(events: readonly DomainEvent[]): Promise<void> {
    guarded('append to outbox', () => this.tx.insertAll.immediate(events));
  }

  async peek(limit: number): Promise<OutboxEntry[]> {
    const removing = this.removing;
    // Entries on their way out are read too (they are the oldest) and skipped, so `limit` others can still come back.
    const rows = guarded('read outbox', () => this.sql.peek(limit + removing.size).all() as Row[]);
    this.peeked.clear();
    const entries: OutboxEntry[] = [];
    for (const row of rows) {
      if (entries.length === limit) break;
      const gone = removing.get(row.seq);
      if (gone !== undefined && (gone === '' || gone === row.event_id)) continue;
      this.peeked.set(row.seq, row.event_id);
      entries.push({ seq: row.seq, event: JSON.parse(row.body) as DomainEvent });
    }
    return entries;
  }

  async remove(seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    const removed: [seq: number, eventId: string][] = seqs.map((seq) => [seq, this.peeked.get(seq) ?? '']);
    for (const [seq, eventId] of removed) this.removing.set(seq, eventId);
    const { remove, removeSeq } = this.sql;
    this.rounds.ride(
      () => {
        for (const [seq, eventId] of removed) {
          if (eventId === '') removeSeq.run(seq);
          else remove.run(seq, eventId);
        }
      },
      // Committed or not, they stop being hidden: rows still there (the round failed) are delivered again.
      () => {
        for (const [seq, eventId] of removed) if (this.removing.get(seq) === eventId) this.removing.delete(seq);
      },
      this.removalWithinMs,
    );
  }

  async size(): Promise<number> {
    const count = () => this.sql.count.get() as number;
    // Removals still waiting for their round are committed first, in the same transaction as the count.
    if (this.removing.size > 0) return this.rounds.run('count outbox', count);
    return guarded('count outbox', count);
  }
}
