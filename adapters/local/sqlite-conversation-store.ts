import type { Database } from 'better-sqlite3';
import type {
  Conversation,
  ConversationKey,
  ConversationSummary,
  Page,
  PageRequest,
  Turn,
} from '../../core/model/conversation.js';
import type { IoOptions } from '../../core/model/io.js';
import type { DialogueState } from '../../core/model/dialogue-state.js';
import type { DomainEvent } from '../../core/model/events.js';
import { ConversationNotFoundError, ValidationError, VersionConflictError, throwIfAborted } from '../../core/errors.js';
import type {
  AppendExchange,
  ConversationStore,
  ConversationStoreCapabilities,
} from '../../core/ports/conversation-store.js';
import { checkPageLimit, decodeListCursor, decodeTurnCursor, encodeListCursor, encodeTurnCursor } from './paging.js';
import { guarded } from './sqlite-database.js';
import { groupCommitOf, type SqliteGroupCommit } from './sqlite-group-commit.js';
import { knownRowsOf, type SqliteKnownRows } from './sqlite-known-rows.js';
import { forgetKnownTurns, keepTurns, knownTurns, parseTurn } from './sqlite-known-turns.js';
import { limitedStatement } from './sqlite-limited-statement.js';
import { outboxRowsCommitted, outboxRowsUnknown, type KnownOutboxRow } from './sqlite-outbox-store.js';
import { plainCopy } from '../shared/plain-copy.js';

export interface SqliteConversationStoreOptions {
  /** A database opened by `openSqliteDatabase`, which owns the schema; the caller closes it. */
  db: Database;
}

interface HeaderRow {
  user_id: string;
  id: string;
  title: string | null;
  created_at: string;
  updated_at: string;
  version: number;
  turn_count: number;
  state: string;
}

type SummaryRow = Pick<HeaderRow, 'id' | 'title' | 'created_at' | 'updated_at' | 'turn_count'>;

const summaryColumns = 'id, title, created_at, updated_at, turn_count';

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database) {
  return {
    insert: db.prepare(
      `INSERT INTO conversations (user_id, id, title, created_at, updated_at, version, turn_count, state)
       VALUES (@user_id, @id, @title, @created_at, @updated_at, @version, @turn_count, @state)
       ON CONFLICT (user_id, id) DO NOTHING`,
    ),
    header: db.prepare('SELECT * FROM conversations WHERE user_id = ? AND id = ?'),
    // Positional parameters: better-sqlite3 looks each named one up on the object it is given, on every run.
    bump: db.prepare(
      `UPDATE conversations
       SET version = version + 1, turn_count = turn_count + ?, updated_at = ?, state = ?, title = COALESCE(title, ?)
       WHERE user_id = ? AND id = ? AND version = ?
       RETURNING *`,
    ),
    // The same, when the header at the expected version is known (sqlite-known-rows.ts): RETURNING costs more than the
    // UPDATE itself (its rows go through a table of their own), and the new header follows from the known one.
    bumpKnown: db.prepare(
      `UPDATE conversations
       SET version = version + 1, turn_count = turn_count + ?, updated_at = ?, state = ?, title = COALESCE(title, ?)
       WHERE user_id = ? AND id = ? AND version = ?`,
    ),
    insertTurn: db.prepare('INSERT INTO turns (user_id, conversation_id, seq, body) VALUES (?, ?, ?, ?)'),
    // The outbox table of the same file (sqlite-outbox-store.ts relays from it): events commit with their turns.
    insertEvent: db.prepare(
      `INSERT INTO outbox (event_id, body, enqueued_at) VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ'))
       ON CONFLICT (event_id) DO NOTHING`,
    ),
    // Limits are written into the SQL, one statement per limit: SQLite recompiles a bound `LIMIT ?` on every run.
    // Plucked: each row is its body, a string, rather than an object made for it and dropped after reading one field.
    recent: limitedStatement(
      db,
      `SELECT body FROM (
         SELECT seq, body FROM turns WHERE user_id = ? AND conversation_id = ? ORDER BY seq DESC LIMIT {limit}
       ) ORDER BY seq`,
      { pluck: true },
    ),
    // Turns are numbered from 0 without gaps, so the n-th row read from `seq >= from` has seq `from + n`.
    turnsFrom: limitedStatement(
      db,
      'SELECT body FROM turns WHERE user_id = ? AND conversation_id = ? AND seq >= ? ORDER BY seq LIMIT {limit}',
      { pluck: true },
    ),
    listFirst: limitedStatement(
      db,
      `SELECT ${summaryColumns} FROM conversations WHERE user_id = ? ORDER BY updated_at DESC, id DESC LIMIT {limit}`,
    ),
    listAfter: limitedStatement(
      db,
      `SELECT ${summaryColumns} FROM conversations WHERE user_id = ? AND (updated_at, id) < (?, ?)
       ORDER BY updated_at DESC, id DESC LIMIT {limit}`,
    ),
    deleteTurns: db.prepare('DELETE FROM turns WHERE user_id = ? AND conversation_id = ?'),
    deleteOne: db.prepare('DELETE FROM conversations WHERE user_id = ? AND id = ?'),
    deleteTurnsOfUser: db.prepare('DELETE FROM turns WHERE user_id = ?'),
    deleteAllOfUser: db.prepare('DELETE FROM conversations WHERE user_id = ?'),
    // Erasure reaches events not yet relayed too; the outbox is near empty, so a scan of it costs little.
    deleteEventsOfUser: db.prepare("DELETE FROM outbox WHERE json_extract(body, '$.userId') = ?"),
  };
}

/**
 * Conversations in the embedded SQLite database. Every statement filters by user id, so another user's conversation
 * reads as absent; `appendExchange` checks the version and writes header, turns and the exchange's events (into the
 * outbox table) in one transaction.
 */
export class SqliteConversationStore implements ConversationStore {
  readonly capabilities: ConversationStoreCapabilities = { durable: true, ttl: false };
  private readonly sql: Statements;
  /**
   * better-sqlite3's `db.transaction(fn)` builds five wrapper functions and redefines their properties on every call
   * (a few percent of a turn when built per call): each transaction is built once and takes its input as arguments.
   */
  private readonly tx: Transactions;
  /** Exchanges appended in the same round of the event loop commit in one transaction, each in its own savepoint. */
  private readonly appends: SqliteGroupCommit;
  /**
   * Conversation headers this connection read or wrote, while no other connection has written to the file: `get`
   * answers from them, and an append whose expected version is the known one needs no RETURNING. Every write of this
   * store keeps them in step; any other connection's commit empties them.
   */
  private readonly known: SqliteKnownRows;

  constructor(options: SqliteConversationStoreOptions) {
    this.sql = guarded('prepare conversation statements', () => prepareStatements(options.db));
    this.tx = guarded('prepare conversation transactions', () => prepareTransactions(options.db, this.sql));
    this.appends = guarded('prepare conversation transactions', () => groupCommitOf(options.db));
    this.known = guarded('prepare conversation statements', () => knownRowsOf(options.db));
  }

  async create({ conversation, signal }: { conversation: Conversation } & IoOptions): Promise<void> {
    throwIfAborted(signal);
    const inserted = guarded('create conversation', () =>
      this.sql.insert.run({
        user_id: conversation.userId,
        id: conversation.id,
        title: conversation.title ?? null,
        created_at: conversation.createdAt,
        updated_at: conversation.updatedAt,
        version: conversation.version,
        turn_count: conversation.turnCount,
        state: JSON.stringify(conversation.state),
      }),
    );
    this.known.rows(HEADERS).delete(headerKey(conversation.userId, conversation.id));
    if (inserted.changes === 0) throw new ValidationError(`conversation ${conversation.id} already exists`);
  }

  async get({ userId, conversationId, signal }: ConversationKey & IoOptions): Promise<Conversation | undefined> {
    throwIfAborted(signal);
    const row = guarded('get conversation', () => {
      const key = headerKey(userId, conversationId);
      const headers = this.known.fresh<HeaderRow>(HEADERS);
      const knownRow = headers.get(key);
      if (knownRow) return knownRow;
      // Looked up after the check: a commit elsewhere in between empties the rows at the next check.
      const read = this.sql.header.get(userId, conversationId) as HeaderRow | undefined;
      if (read) headers.set(key, read);
      return read;
    });
    return row && toConversation(row);
  }

  async appendExchange(exchange: AppendExchange & IoOptions): Promise<Conversation> {
    throwIfAborted(exchange.signal);
    // The round's transaction is IMMEDIATE: it takes the write lock before the version checks, so no other connection
    // can commit in between.
    const prepared = prepareExchange(exchange);
    const { sql, known } = this;
    const key = headerKey(prepared.userId, prepared.conversationId);
    const row = await this.appends.run(
      'append exchange',
      () => appendOne(sql, known, key, prepared),
      // Known only once committed: a rolled-back append leaves the header as it was, and its events unwritten.
      (stored) => {
        known.rows<HeaderRow>(HEADERS).set(key, stored);
        if (prepared.written.length > 0) outboxRowsCommitted(known, prepared.written);
      },
    );
    return toConversation(row);
  }

  async recentTurns(request: ConversationKey & { limit: number } & IoOptions): Promise<Turn[]> {
    const { userId, conversationId, limit, signal } = request;
    throwIfAborted(signal);
    if (!Number.isInteger(limit) || limit < 0) {
      throw new ValidationError(`recent turn limit must be a non-negative integer, got ${limit}`);
    }
    if (limit === 0) return [];
    const key = headerKey(userId, conversationId);
    return guarded('read recent turns', () => {
      const count = this.known.fresh<HeaderRow>(HEADERS).get(key)?.turn_count;
      const known = count === undefined ? undefined : knownTurns(this.known, key, Math.max(0, count - limit), count);
      if (known) return known;
      const bodies = this.sql.recent(limit).all(userId, conversationId) as string[];
      // With the count known, the rows read are the seqs just before it; without it, their seqs are not known here.
      return count === undefined ? bodies.map(parseTurn) : keepTurns(this.known, key, count - bodies.length, bodies);
    });
  }

  async turns(request: ConversationKey & PageRequest & IoOptions): Promise<Page<Turn>> {
    const { userId, conversationId, signal, ...page } = request;
    throwIfAborted(signal);
    checkPageLimit(page.limit);
    // Turns are numbered from 0 without gaps, so the shared index cursor doubles as a seq key for the primary key.
    const from = decodeTurnCursor(page.cursor);
    const key = headerKey(userId, conversationId);
    const { items, more } = guarded('read turns', () => {
      const count = this.known.fresh<HeaderRow>(HEADERS).get(key)?.turn_count;
      const known =
        count === undefined ? undefined : knownTurns(this.known, key, from, Math.min(count, from + page.limit));
      if (known && count !== undefined) return { items: known, more: count > from + page.limit };
      // One row past the page tells whether another page exists without a second query.
      const bodies = this.sql.turnsFrom(page.limit + 1).all(userId, conversationId, from) as string[];
      const more = bodies.length > page.limit;
      if (more) bodies.length = page.limit;
      return { items: keepTurns(this.known, key, from, bodies), more };
    });
    // A row past the page means another page, which starts right after the last item: from + limit.
    return more && page.limit > 0 ? { items, nextCursor: encodeTurnCursor(from + page.limit) } : { items };
  }

  async list(request: { userId: string } & PageRequest & IoOptions): Promise<Page<ConversationSummary>> {
    const { userId, signal, ...page } = request;
    throwIfAborted(signal);
    checkPageLimit(page.limit);
    const after = decodeListCursor(page.cursor);
    const rows = guarded(
      'list conversations',
      () =>
        (after === undefined
          ? this.sql.listFirst(page.limit + 1).all(userId)
          : this.sql.listAfter(page.limit + 1).all(userId, after.updatedAt, after.id)) as SummaryRow[],
    );
    const items = rows.slice(0, page.limit).map(toSummary);
    const last = items[items.length - 1];
    return { items, ...(last && rows.length > page.limit && { nextCursor: encodeListCursor(last) }) };
  }

  async delete({ userId, conversationId, signal }: ConversationKey & IoOptions): Promise<boolean> {
    throwIfAborted(signal);
    try {
      return guarded('delete conversation', () => this.tx.remove.immediate(userId, conversationId));
    } finally {
      this.known.rows(HEADERS).delete(headerKey(userId, conversationId));
      forgetKnownTurns(this.known);
    }
  }

  async deleteAllForUser({ userId, signal }: { userId: string } & IoOptions): Promise<number> {
    throwIfAborted(signal);
    try {
      return guarded('delete conversations of user', () => this.tx.removeAllOfUser.immediate(userId));
    } finally {
      this.known.rows(HEADERS).clear();
      forgetKnownTurns(this.known);
      // The user's events not yet relayed went too.
      outboxRowsUnknown(this.known);
    }
  }
}

type Transactions = ReturnType<typeof prepareTransactions>;

/** An exchange as it is written: serialised when it is appended, so later changes by the caller cannot reach it. */
interface PreparedExchange {
  userId: string;
  conversationId: string;
  expectedVersion: number;
  at: string;
  title: string | null;
  state: string;
  turns: string[];
  events: [id: string, body: string, event: DomainEvent][];
  /** The outbox rows the last run of the write inserted (an event already pending is not among them). */
  written: KnownOutboxRow[];
}

function prepareExchange(exchange: AppendExchange): PreparedExchange {
  return {
    userId: exchange.userId,
    conversationId: exchange.conversationId,
    expectedVersion: exchange.expectedVersion,
    at: exchange.at,
    title: exchange.title ?? null,
    state: JSON.stringify(exchange.state),
    turns: exchange.turns.map((turn) => JSON.stringify(turn)),
    // Copied now, as the memory stores copy, for the relay to find in memory once committed (sqlite-outbox-store.ts).
    events: (exchange.events ?? []).map((event) => [event.id, JSON.stringify(event), plainCopy(event)]),
    written: [],
  };
}

const HEADERS = 'conversations';

/** A header's key among the known rows: user and conversation ids, neither of which can hold a NUL. */
function headerKey(userId: string, conversationId: string): string {
  return `${userId}\0${conversationId}`;
}

/**
 * Checks the version and writes header, turns and events of one exchange; called inside a transaction. Returns the
 * new header, read back with RETURNING unless the header at the expected version is known.
 */
function appendOne(sql: Statements, known: SqliteKnownRows, key: string, exchange: PreparedExchange): HeaderRow {
  const { userId, conversationId, turns } = exchange;
  const headers = known.fresh<HeaderRow>(HEADERS);
  const before = headers.get(key);
  let row: HeaderRow | undefined;
  // The parameters of both forms of the UPDATE: with RETURNING (`bump`), and without it (`bumpKnown`).
  const bump = [
    turns.length,
    exchange.at,
    exchange.state,
    exchange.title,
    userId,
    conversationId,
    exchange.expectedVersion,
  ] as const;
  if (before?.version === exchange.expectedVersion) {
    const { changes } = sql.bumpKnown.run(...bump);
    // Built field by field, in the table's column order, as the UPDATE above wrote it.
    if (changes === 1)
      row = {
        user_id: before.user_id,
        id: before.id,
        title: before.title ?? exchange.title,
        created_at: before.created_at,
        updated_at: exchange.at,
        version: before.version + 1,
        turn_count: before.turn_count + turns.length,
        state: exchange.state,
      };
  } else {
    row = sql.bump.get(...bump) as HeaderRow | undefined;
  }
  if (!row) {
    // Whatever was known of it is not what the file holds.
    headers.delete(key);
    if (sql.header.get(userId, conversationId) === undefined) throw new ConversationNotFoundError(conversationId);
    throw new VersionConflictError(conversationId, exchange.expectedVersion);
  }
  // Turns are numbered from 0 without gaps, so the count before this exchange is the next seq (no MAX(seq) query).
  const first = row.turn_count - turns.length;
  for (let index = 0; index < turns.length; index += 1)
    sql.insertTurn.run(userId, conversationId, first + index, turns[index]);
  exchange.written = [];
  for (const [id, body, event] of exchange.events) {
    const { changes, lastInsertRowid } = sql.insertEvent.run(id, body);
    if (changes === 1) exchange.written.push({ seq: Number(lastInsertRowid), eventId: id, event });
  }
  return row;
}

/** The store's other write transactions, each built once over the prepared statements. */
function prepareTransactions(db: Database, sql: Statements) {
  return {
    remove: db.transaction((userId: string, conversationId: string): boolean => {
      sql.deleteTurns.run(userId, conversationId);
      return sql.deleteOne.run(userId, conversationId).changes > 0;
    }),
    removeAllOfUser: db.transaction((userId: string): number => {
      sql.deleteTurnsOfUser.run(userId);
      sql.deleteEventsOfUser.run(userId);
      return sql.deleteAllOfUser.run(userId).changes;
    }),
  };
}

function toSummary(row: SummaryRow): ConversationSummary {
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    turnCount: row.turn_count,
    ...(row.title !== null && { title: row.title }),
  };
}

function toConversation(row: HeaderRow): Conversation {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
    turnCount: row.turn_count,
    state: JSON.parse(row.state) as DialogueState,
    ...(row.title !== null && { title: row.title }),
  };
}
