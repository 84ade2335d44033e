import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyDialogueState } from '../../../core/model/dialogue-state.js';
import { DependencyUnavailableError } from '../../../core/errors.js';
import type { DomainEvent } from '../../../core/model/events.js';
import { openSqliteDatabase, type Database } from '../../../adapters/local/sqlite-database.js';
import { SqliteConversationStore } from '../../../adapters/local/sqlite-conversation-store.js';
import { SqliteOutboxStore } from '../../../adapters/local/sqlite-outbox-store.js';
import { groupCommitOf } from '../../../adapters/local/sqlite-group-commit.js';
import { describeConversationStoreContract } from '../../contract/conversation-store.contract.js';

describeConversationStoreContract('SqliteConversationStore (:memory:)', async () => {
  const db = openSqliteDatabase(':memory:');
  return {
    store: new SqliteConversationStore({ db }),
    pendingEvents: (userId) => pendingEventsIn(db, userId),
    dispose: async () => void db.close(),
  };
});

describeConversationStoreContract('SqliteConversationStore (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'conversations-'));
  const path = join(dir, 'assistant.db');
  let db = openSqliteDatabase(path);
  return {
    store: new SqliteConversationStore({ db }),
    reopen: async () => {
      db.close();
      db = openSqliteDatabase(path);
      return new SqliteConversationStore({ db });
    },
    pendingEvents: (userId) => pendingEventsIn(db, userId),
    dispose: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

/** The relay's view of the outbox table in the same file. */
async function pendingEventsIn(db: Database, userId: string) {
  const entries = await new SqliteOutboxStore({ db }).peek(10_000);
  return entries.map((entry) => entry.event).filter((event) => event.userId === userId);
}

const created = '2026-03-01T09:00:00.000Z';
const later = '2026-03-01T09:01:00.000Z';
const conversation = {
  id: 'c1',
  userId: 'u1',
  createdAt: created,
  updatedAt: created,
  version: 0,
  turnCount: 0,
  state: emptyDialogueState(),
};
const append = {
  userId: 'u1',
  conversationId: 'c1',
  expectedVersion: 0,
  at: later,
  state: emptyDialogueState(),
  turns: [{ id: 't1', role: 'user' as const, text: 'hi', at: later }],
};

const event = (id: string): DomainEvent => ({
  id,
  type: 'SessionStarted',
  at: later,
  userId: 'u1',
  conversationId: 'c2',
});

describe('SqliteConversationStore', () => {
  it('reports a database locked by another writer as a retryable DependencyUnavailableError and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conversations-'));
    const path = join(dir, 'assistant.db');
    const db = openSqliteDatabase(path);
    const other = openSqliteDatabase(path);
    try {
      const store = new SqliteConversationStore({ db });
      await store.create({ conversation });
      // No waiting: the lock holder below never lets go while the append runs.
      db.pragma('busy_timeout = 0');
      other.exec('BEGIN IMMEDIATE');
      const failure = await store.appendExchange(append).catch((error: unknown) => error);
      other.exec('ROLLBACK');
      expect(failure).toBeInstanceOf(DependencyUnavailableError);
      expect(failure).toMatchObject({ dependency: 'sqlite', retryable: true, cause: { code: 'SQLITE_BUSY' } });
      await expect(store.get({ userId: 'u1', conversationId: 'c1' })).resolves.toMatchObject({
        version: 0,
        turnCount: 0,
      });
      await expect(store.appendExchange(append)).resolves.toMatchObject({ version: 1 });
    } finally {
      other.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('commits the exchanges of one event-loop round together, each checked and rolled back on its own', async () => {
    // Prepare: three conversations, and one COMMIT counted per round
    const db = openSqliteDatabase(':memory:');
    const store = new SqliteConversationStore({ db });
    for (const id of ['c1', 'c2', 'c3']) await store.create({ conversation: { ...conversation, id } });
    const turn = (id: string) => [{ id, role: 'user' as const, text: 'hi', at: later }];

    // Act: appended in the same round; c2's second append expects a version the first one moves on
    const outcomes = await Promise.allSettled([
      store.appendExchange({ ...append, conversationId: 'c1', turns: turn('a') }),
      store.appendExchange({ ...append, conversationId: 'c2', turns: turn('b'), events: [event('e1')] }),
      store.appendExchange({ ...append, conversationId: 'c2', turns: turn('c'), events: [event('e2')] }),
      store.appendExchange({ ...append, conversationId: 'missing', turns: turn('d') }),
      store.appendExchange({ ...append, conversationId: 'c3', turns: turn('e') }),
    ]);

    // Assess: the conflict and the missing conversation failed alone, and wrote nothing
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value.version : (o.reason as Error).name))).toEqual([
      1,
      1,
      'VersionConflictError',
      'ConversationNotFoundError',
      1,
    ]);
    const page = await store.turns({ userId: 'u1', conversationId: 'c2', limit: 10 });
    expect(page.items.map((t) => t.id)).toEqual(['b']);
    expect(await pendingEventsIn(db, 'u1')).toEqual([event('e1')]);
    db.close();
  });

  it('reads a page of turns whose texts hold JSON syntax, quotes and non-ASCII exactly as stored, in seq order', async () => {
    // Prepare: 7 exchanges whose texts and data would break a naive join of the stored bodies
    const db = openSqliteDatabase(':memory:');
    const store = new SqliteConversationStore({ db });
    await store.create({ conversation });
    const texts = ['a, b]', '{"x": [1,2]}', 'say "hi"\n', 'naïve café ☕ 𝄞', '', ',', '\\ \u2028'];
    const written = texts.flatMap((text, i) => [
      { id: `u${i}`, role: 'user' as const, text, at: later, slots: { city: text } },
      {
        id: `a${i}`,
        role: 'assistant' as const,
        text: `${text}!`,
        at: later,
        data: { list: [text, i], nested: { t: text } },
      },
    ]);
    for (let i = 0; i < texts.length; i += 1) {
      await store.appendExchange({ ...append, expectedVersion: i, turns: written.slice(2 * i, 2 * i + 2) });
    }

    // Act: every page size from 1 to past the end, walked by cursor
    for (const limit of [1, 2, 3, 5, 13, 14, 15]) {
      const read: unknown[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.turns({ userId: 'u1', conversationId: 'c1', limit, ...(cursor && { cursor }) });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        read.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);

      // Assess: the same turns, in order, whatever the page size
      expect(read).toEqual(written);
    }
    db.close();
  });

  it('reports a closed database as a non-retryable DependencyUnavailableError', async () => {
    const db = openSqliteDatabase(':memory:');
    const store = new SqliteConversationStore({ db });
    db.close();
    const failure = await store.get({ userId: 'u1', conversationId: 'c1' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DependencyUnavailableError);
    expect(failure).toMatchObject({ dependency: 'sqlite', retryable: false });
  });
});

describe('SqliteConversationStore and the relay on one connection', () => {
  /** A store and its outbox on a file, and a second connection to the file, as another process would have. */
  function onFile() {
    const dir = mkdtempSync(join(tmpdir(), 'relay-known-'));
    const path = join(dir, 'assistant.db');
    const db = openSqliteDatabase(path);
    const other = openSqliteDatabase(path);
    return {
      db,
      other,
      store: new SqliteConversationStore({ db }),
      outbox: new SqliteOutboxStore({ db }),
      close: () => {
        other.close();
        db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const ids = (entries: { event: DomainEvent }[]) => entries.map((entry) => entry.event.id);

  it('hands the relay the events an append committed, as copies, without reading them back', async () => {
    // Prepare: the outbox read once (empty), so every pending row is known from then on
    const { db, store, outbox, close } = onFile();
    try {
      await store.create({ conversation });
      await outbox.peek(25);
      const events = [event('e1'), event('e2')];

      // Act: the caller changes its events after the append; the stored body is changed behind the store's back
      await store.appendExchange({ ...append, events });
      events[0]!.userId = 'mutated';
      db.prepare("UPDATE outbox SET body = '{}'").run();
      const peeked = await outbox.peek(25);

      // Assess: the relay's entries are what was appended, from memory
      expect(peeked.map((entry) => entry.event)).toEqual([event('e1'), event('e2')]);
      expect(peeked.map((entry) => entry.seq)).toEqual(db.prepare('SELECT seq FROM outbox ORDER BY seq').pluck().all());
    } finally {
      close();
    }
  });

  it('reads the outbox again once another connection changed it, and after an erasure', async () => {
    // Prepare
    const { other, store, outbox, close } = onFile();
    try {
      await store.create({ conversation });
      await outbox.peek(25);
      const next = await store.appendExchange({ ...append, events: [event('e1'), event('e2')] });
      await outbox.peek(25);

      // Act: another process delivers e1 and queues e3; then this store appends e4 and the user is erased
      other.prepare("DELETE FROM outbox WHERE event_id = 'e1'").run();
      await new SqliteOutboxStore({ db: other }).append([{ ...event('e3'), userId: 'u2' }]);
      const afterOther = ids(await outbox.peek(25));
      await store.appendExchange({ ...append, expectedVersion: next.version, events: [event('e4')] });
      const afterAppend = ids(await outbox.peek(25));
      await store.deleteAllForUser({ userId: 'u1' });
      const afterErasure = ids(await outbox.peek(25));

      // Assess
      expect(afterOther).toEqual(['e2', 'e3']);
      expect(afterAppend).toEqual(['e2', 'e3', 'e4']);
      expect(afterErasure).toEqual(['e3']);
    } finally {
      close();
    }
  });

  it('forgets delivered entries in memory once their removal commits, and keeps them when it fails', async () => {
    // Prepare
    const { db, other, store, outbox, close } = onFile();
    try {
      await store.create({ conversation });
      await outbox.peek(25);
      await store.appendExchange({ ...append, events: [event('e1'), event('e2')] });
      const [first] = await outbox.peek(1);

      // Act
      await outbox.remove([first!.seq]);
      await outbox.size();
      const afterRemoval = ids(await outbox.peek(25));
      const [second] = await outbox.peek(1);
      db.exec("CREATE TEMP TRIGGER refuse BEFORE DELETE ON outbox BEGIN SELECT RAISE(ABORT, 'refused'); END");
      await outbox.remove([second!.seq]);
      await groupCommitOf(db).flush();
      const afterFailedRemoval = ids(await outbox.peek(25));

      // Assess
      expect(afterRemoval).toEqual(['e2']);
      expect(afterFailedRemoval).toEqual(['e2']);
      expect(other.prepare('SELECT event_id FROM outbox').pluck().all()).toEqual(['e2']);
    } finally {
      close();
    }
  });
});
