import type { Database } from 'better-sqlite3';
import type { DomainEvent } from '../../core/model/events.js';
import type { OutboxEntry, OutboxStore } from '../shared/outbox-store.js';
import { guarded } from './sqlite-database.js';
import { groupCommitOf, type SqliteGroupCommit } from './sqlite-group-commit.js';
import { knownRowsOf, type SqliteKnownRows } from './sqlite-known-rows.js';
import { limitedStatement } from './sqlite-limited-statement.js';

export interface SqliteOutboxStoreOptions {
  /** A database opened by `openSqliteDatabase` (which creates the outbox table); the caller closes it. */
  db: Database;
}

interface Row {
  seq: number;
  event_id: string;
  body: string;
}

/** A pending row of the outbox as this connection knows it: its event already parsed (or copied, when written here). */
export interface KnownOutboxRow {
  seq: number;
  eventId: string;
  event: DomainEvent;
}

/**
 * The outbox's table among the connection's known rows (`sqlite-known-rows.ts`): pending rows by seq, in seq order,
 * and, while they are every pending row, the key `ALL`. The map empties itself when another connection commits, and
 * every write of this connection to the outbox keeps it in step: the relay then peeks without reading the table.
 */
const OUTBOX = 'outbox';
const ALL = 'all';

/**
 * Rows a store on this connection has just committed to the outbox (the conversation store's appends, right after
 * their COMMIT), so the relay finds them without reading them back: seqs above every pending row, hence in order.
 */
export function outboxRowsCommitted(known: SqliteKnownRows, rows: readonly KnownOutboxRow[]): void {
  const kept = known.rows<KnownOutboxRow | typeof ALL>(OUTBOX);
  if (!kept.has(ALL)) return;
  for (const row of rows) kept.set(String(row.seq), row);
}

/** Rows of the outbox changed on this connection in a way not told row by row (an erasure): read it again. */
export function outboxRowsUnknown(known: SqliteKnownRows): void {
  known.rows(OUTBOX).clear();
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
 * Delivered entries are forgotten in the next round of the connection's group commit, which under load the turns
 * finishing meanwhile start anyway: the outbox's pages are written once for the rows a round removes and the rows it
 * adds. Until that round commits, this store's `peek` skips them.
 */
export class SqliteOutboxStore implements OutboxStore {
  private readonly sql: ReturnType<typeof prepareStatements>;
  /** Built once: better-sqlite3 builds and redefines five wrapper functions per `db.transaction` call. */
  private readonly tx: ReturnType<typeof prepareTransactions>;
  /** The connection's group commit, which the conversation store's appends use too. */
  private readonly rounds: SqliteGroupCommit;
  /** Event ids of the entries the last peeks returned, by seq: what `remove` deletes besides the seq. */
  private readonly peeked = new Map<number, string>();
  /** Entries removed but not yet committed as such (by seq, with their event id, or '' when not known). */
  private readonly removing = new Map<number, string>();
  /** The connection's known rows, where the pending entries are kept once read or written (`OUTBOX`). */
  private readonly known: SqliteKnownRows;

  constructor(options: SqliteOutboxStoreOptions) {
    this.sql = guarded('prepare outbox statements', () => prepareStatements(options.db));
    this.tx = guarded('prepare outbox transactions', () => prepareTransactions(options.db, this.sql));
    this.rounds = groupCommitOf(options.db);
    this.known = guarded('prepare outbox statements', () => knownRowsOf(options.db));
  }

  async append(events: readonly DomainEvent[]): Promise<void> {
    try {
      guarded('append to outbox', () => this.tx.insertAll.immediate(events));
    } finally {
      // Rare (the transport was down): the next peek reads the table rather than this keeping count of the rows.
      outboxRowsUnknown(this.known);
    }
  }

  /**
   * The oldest pending entries: from the known rows while they hold every pending row and no other connection has
   * committed (the relay's usual case: it finds the events a turn just wrote without reading or parsing them), else
   * read from the table, which makes them known when the read saw every pending row.
   */
  async peek(limit: number): Promise<OutboxEntry[]> {
    const removing = this.removing;
    const known = guarded('read outbox', () => this.known.fresh<KnownOutboxRow | typeof ALL>(OUTBOX));
    this.peeked.clear();
    const entries: OutboxEntry[] = [];
    if (known.has(ALL)) {
      for (const row of known.values()) {
        if (entries.length === limit) break;
        if (row === ALL) continue;
        const gone = removing.get(row.seq);
        if (gone !== undefined && (gone === '' || gone === row.eventId)) continue;
        this.peeked.set(row.seq, row.eventId);
        entries.push({ seq: row.seq, event: row.event });
      }
      return entries;
    }
    // Entries on their way out are read too (they are the oldest) and skipped, so `limit` others can still come back.
    const asked = limit + removing.size;
    const rows = guarded('read outbox', () => this.sql.peek(asked).all() as Row[]);
    // Fewer rows than asked: these are every pending row, kept (in seq order) for the next peeks.
    const complete = rows.length < asked;
    if (complete) {
      known.clear();
      known.set(ALL, ALL);
    }
    for (const row of rows) {
      const gone = removing.get(row.seq);
      const hidden = gone !== undefined && (gone === '' || gone === row.event_id);
      if (!complete && (hidden || entries.length === limit)) continue;
      const event = JSON.parse(row.body) as DomainEvent;
      if (complete) known.set(String(row.seq), { seq: row.seq, eventId: row.event_id, event });
      if (hidden || entries.length === limit) continue;
      this.peeked.set(row.seq, row.event_id);
      entries.push({ seq: row.seq, event });
    }
    return entries;
  }

  async remove(seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    const removed: [seq: number, eventId: string][] = seqs.map((seq) => [seq, this.peeked.get(seq) ?? '']);
    for (const [seq, eventId] of removed) this.removing.set(seq, eventId);
    const { remove, removeSeq } = this.sql;
    // Committed or not, they stop being hidden: rows still there (the round failed) are delivered again.
    const settle = (committed: boolean) => {
      const known = this.known.rows<KnownOutboxRow | typeof ALL>(OUTBOX);
      for (const [seq, eventId] of removed) {
        if (this.removing.get(seq) === eventId) this.removing.delete(seq);
        if (!committed) continue;
        const key = String(seq);
        const row = known.get(key);
        // Removed by seq alone (an entry this store did not peek): whatever row had that seq is gone.
        if (row !== undefined && row !== ALL && (eventId === '' || row.eventId === eventId)) known.delete(key);
      }
    };
    // Not awaited: the delivery is done, and the deletes join the round the turns finishing meanwhile start anyway.
    this.rounds
      .run(
        'forget delivered outbox entries',
        () => {
          for (const [seq, eventId] of removed) {
            if (eventId === '') removeSeq.run(seq);
            else remove.run(seq, eventId);
          }
        },
        () => settle(true),
      )
      .catch(() => settle(false));
  }

  async size(): Promise<number> {
    const count = () => this.sql.count.get() as number;
    // Removals still waiting for their round are committed first, in the same transaction as the count.
    if (this.removing.size > 0) return this.rounds.run('count outbox', count);
    return guarded('count outbox', count);
  }
}
