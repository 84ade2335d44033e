import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyDialogueState } from '../../../core/model/dialogue-state.js';
import type { Turn } from '../../../core/model/conversation.js';
import { openSqliteDatabase, type Database } from '../../../adapters/local/sqlite-database.js';
import { SqliteConversationStore } from '../../../adapters/local/sqlite-conversation-store.js';
import { knownRowsOf } from '../../../adapters/local/sqlite-known-rows.js';

/**
 * Turns the SQLite store has read are kept, parsed, while they are known to be what the file holds: history pages and
 * recent turns are answered from them as copies, and read from the file again once another connection commits or
 * the store deletes.
 */
describe('SqliteConversationStore known turns', () => {
  const at = '2026-03-01T09:00:00.000Z';
  const key = { userId: 'u1', conversationId: 'c1' };

  /** A store on a file, a second connection to it, and every read of the turns table the store's connection runs. */
  function onFile() {
    const dir = mkdtempSync(join(tmpdir(), 'known-turns-'));
    const path = join(dir, 'assistant.db');
    const db = openSqliteDatabase(path);
    const reads = countTurnReads(db);
    const other = openSqliteDatabase(path);
    closing.push(() => {
      other.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return { store: new SqliteConversationStore({ db }), db, other, reads };
  }
  const closing: (() => void)[] = [];
  afterEach(() => {
    for (const close of closing.splice(0)) close();
  });

  const exchange = (i: number): Turn[] => [
    { id: `u${i}`, role: 'user', text: `question ${i}`, at, slots: { city: `Paris ${i}` } },
    { id: `a${i}`, role: 'assistant', text: `answer ${i}`, at, data: { list: [i, { nested: `n${i}` }] } },
  ];

  async function conversationOf(store: SqliteConversationStore, exchanges: number, from = 0) {
    await store.create({
      conversation: {
        ...key,
        id: 'c1',
        createdAt: at,
        updatedAt: at,
        version: 0,
        turnCount: 0,
        state: emptyDialogueState(),
      },
    });
    for (let i = 0; i < exchanges; i += 1)
      await store.appendExchange({
        ...key,
        expectedVersion: i,
        at,
        state: emptyDialogueState(),
        turns: exchange(from + i),
      });
  }

  async function readAll(store: SqliteConversationStore) {
    const first = await store.turns({ ...key, limit: 4 });
    const second = await store.turns({ ...key, limit: 4, cursor: first.nextCursor! });
    const recent = await store.recentTurns({ ...key, limit: 3 });
    return { first, second, recent };
  }

  it('reads each page from the file once, then answers pages and recent turns from memory, as copies', async () => {
    // Prepare: three exchanges, their header known from the appends
    const { store, reads } = onFile();
    await conversationOf(store, 3);
    const written = [0, 1, 2].flatMap(exchange);

    // Act: everything read twice, the copies handed out mutated in between
    const before = await readAll(store);
    const readsBefore = reads.length;
    before.first.items[0]!.text = 'mutated';
    before.recent[2]!.data!['list'] = 'mutated';
    const after = await readAll(store);
    const readsAfter = reads.length;

    // Assess
    expect(readsBefore).toBe(2);
    expect(readsAfter).toBe(2);
    expect(after.first).toEqual({ items: written.slice(0, 4), nextCursor: expect.any(String) });
    expect(after.second).toEqual({ items: written.slice(4) });
    expect(after.recent).toEqual(written.slice(3));
    expect(after.first.items[0]).not.toBe(before.first.items[0]);
  });

  it('reads the turns appended since from the file, with the known ones', async () => {
    // Prepare
    const { store, reads } = onFile();
    await conversationOf(store, 2);
    await readAll(store);
    const readsBefore = reads.length;

    // Act
    await store.appendExchange({ ...key, expectedVersion: 2, at, state: emptyDialogueState(), turns: exchange(2) });
    const page = await store.turns({ ...key, limit: 10 });
    const recent = await store.recentTurns({ ...key, limit: 2 });
    const again = await store.recentTurns({ ...key, limit: 6 });

    // Assess: the page and the first recent read went to the file; the last one knew every turn
    expect(page.items).toEqual([0, 1, 2].flatMap(exchange));
    expect(recent).toEqual(exchange(2));
    expect(again).toEqual([0, 1, 2].flatMap(exchange));
    expect(reads.length - readsBefore).toBe(1);
  });

  it('reads the file again once another connection committed', async () => {
    // Prepare
    const { store, other } = onFile();
    await conversationOf(store, 2);
    await readAll(store);

    // Act: another process rewrites a stored turn (no store of ours would; the file is what counts)
    other.prepare("UPDATE turns SET body = json_set(body, '$.text', 'changed') WHERE seq = 0").run();
    const page = await store.turns({ ...key, limit: 4 });
    const recent = await store.recentTurns({ ...key, limit: 4 });

    // Assess
    expect(page.items[0]?.text).toBe('changed');
    expect(recent[0]?.text).toBe('changed');
  });

  it('answers a conversation deleted and made again with its new turns, never the known ones', async () => {
    for (const remove of ['conversation', 'user'] as const) {
      // Prepare
      const { store } = onFile();
      await conversationOf(store, 3);
      await readAll(store);

      // Act: the same id again, with other turns
      if (remove === 'conversation') await store.delete(key);
      else await store.deleteAllForUser({ userId: 'u1' });
      await conversationOf(store, 1, 7);
      const page = await store.turns({ ...key, limit: 10 });
      const recent = await store.recentTurns({ ...key, limit: 10 });

      // Assess
      expect(page.items, remove).toEqual(exchange(7));
      expect(recent, remove).toEqual(exchange(7));
    }
  });

  it('keeps at most 2,000 turns, starting over past them, and still answers every page', async () => {
    // Prepare: three conversations of 1,000 turns each, their headers known from the appends
    const { store, db } = onFile();
    const many = (c: string) =>
      Array.from({ length: 1000 }, (_, i): Turn => ({ id: `${c}-${i}`, role: 'user', text: `${c} ${i}`, at }));
    for (const c of ['c1', 'c2', 'c3']) {
      const conversationKey = { userId: 'u1', conversationId: c };
      await store.create({
        conversation: {
          ...conversationKey,
          id: c,
          createdAt: at,
          updatedAt: at,
          version: 0,
          turnCount: 0,
          state: emptyDialogueState(),
        },
      });
      await store.appendExchange({
        ...conversationKey,
        expectedVersion: 0,
        at,
        state: emptyDialogueState(),
        turns: many(c),
      });
    }

    // Act: every turn read, twice
    const kept: number[] = [];
    for (let pass = 0; pass < 2; pass += 1) {
      for (const c of ['c1', 'c2', 'c3']) {
        const page = await store.turns({ userId: 'u1', conversationId: c, limit: 1000 });
        expect(page.items).toEqual(many(c));
        kept.push(knownRowsOf(db).rows('turns').size);
      }
    }

    // Assess
    expect(Math.max(...kept)).toBeLessThanOrEqual(2000);
  });
});

/** Wraps the statements the store prepares on `db`: every `all()` of one reading the turns table is recorded. */
function countTurnReads(db: Database): string[] {
  const reads: string[] = [];
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    const statement = prepare(source);
    if (/FROM turns/.test(source) && !/^\s*DELETE/.test(source)) {
      const all = statement.all.bind(statement);
      statement.all = (...parameters: unknown[]) => {
        reads.push(source);
        return all(...parameters);
      };
    }
    return statement;
  }) as typeof db.prepare;
  return reads;
}
