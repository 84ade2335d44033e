import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteDatabase, type Database } from '../../../adapters/local/sqlite-database.js';
import { groupCommitOf } from '../../../adapters/local/sqlite-group-commit.js';
import { SqliteOutboxStore } from '../../../adapters/local/sqlite-outbox-store.js';
import type { DomainEvent } from '../../../core/model/events.js';

const dirs: string[] = [];
const open: Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A database file and a second connection to it, as another process would have. */
function twoConnections(): { db: Database; other: Database } {
  const dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
  dirs.push(dir);
  const path = join(dir, 'assistant.db');
  const db = openSqliteDatabase(path);
  const other = openSqliteDatabase(path);
  open.push(db, other);
  return { db, other };
}

const profiles = (db: Database) =>
  (db.prepare('SELECT user_id FROM profiles ORDER BY user_id').pluck().all() as string[]).join(',');
const insertProfile = (db: Database, userId: string) =>
  db.prepare("INSERT INTO profiles (user_id, body, updated_at) VALUES (?, '{}', 'now')").run(userId);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function event(id: string): DomainEvent {
  return {
    id,
    type: 'SessionStarted',
    userId: 'u',
    conversationId: 'c',
    at: '2026-01-01T00:00:00.000Z',
  };
}

describe('SqliteGroupCommit rounds', () => {
  it('rolls back a write that failed after writing, alone, while the other writes of its round commit', async () => {
    // Prepare: three writes in one round; the second writes a row, then fails
    const { db, other } = twoConnections();
    const rounds = groupCommitOf(db);
    insertProfile(db, 'taken');
    const runs: string[] = [];

    // Act
    const outcomes = await Promise.allSettled([
      rounds.run('first', () => {
        runs.push('first');
        insertProfile(db, 'a');
      }),
      rounds.run('second', () => {
        runs.push('second');
        insertProfile(db, 'b');
        insertProfile(db, 'taken');
      }),
      rounds.run('third', () => {
        runs.push('third');
        return insertProfile(db, 'c').changes;
      }),
    ]);

    // Assess: 'b' went with its write, which alone failed; the round went again, each write on its own
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(Error);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
    expect((outcomes[2] as PromiseFulfilledResult<number>).value).toBe(1);
    expect(profiles(other)).toBe('a,c,taken');
    expect(runs).toEqual(['first', 'second', 'first', 'second', 'third']);
  });

  it('rejects the one write of a round that failed, and keeps nothing it wrote', async () => {
    // Prepare
    const { db, other } = twoConnections();
    const rounds = groupCommitOf(db);
    insertProfile(db, 'taken');

    // Act
    const failing = rounds.run('write', () => {
      insertProfile(db, 'a');
      insertProfile(db, 'taken');
    });

    // Assess
    await expect(failing).rejects.toThrow(/UNIQUE/);
    expect(profiles(other)).toBe('taken');
    await rounds.run('next', () => insertProfile(db, 'b'));
    expect(profiles(other)).toBe('b,taken');
  });
});

describe('SqliteOutboxStore removals in the next round of the group commit', () => {
  it('hides removed entries from peek at once, and deletes them with the next round of writes', async () => {
    // Prepare
    const { db, other } = twoConnections();
    const outbox = new SqliteOutboxStore({ db });
    await outbox.append([event('e1'), event('e2'), event('e3')]);
    const [first, second] = await outbox.peek(2);
    const pendingElsewhere = () =>
      (other.prepare('SELECT event_id FROM outbox ORDER BY seq').pluck().all() as string[]).join(',');

    // Act
    await outbox.remove([first!.seq, second!.seq]);
    const peekedAfter = (await outbox.peek(25)).map((entry) => entry.event.id);
    const beforeRound = pendingElsewhere();
    await groupCommitOf(db).run('a turn', () => insertProfile(db, 'someone'));

    // Assess
    expect(peekedAfter).toEqual(['e3']);
    expect(beforeRound).toBe('e1,e2,e3');
    expect(pendingElsewhere()).toBe('e3');
  });

  it('counts exactly while removals wait, by committing them first', async () => {
    // Prepare
    const { db, other } = twoConnections();
    const outbox = new SqliteOutboxStore({ db });
    await outbox.append([event('e1'), event('e2')]);
    const entries = await outbox.peek(25);

    // Act
    await outbox.remove([entries[0]!.seq]);
    const size = await outbox.size();

    // Assess
    expect(size).toBe(1);
    expect(other.prepare('SELECT COUNT(*) FROM outbox').pluck().get()).toBe(1);
  });

  it('commits a removal on its own when no write comes', async () => {
    // Prepare
    const { db, other } = twoConnections();
    const outbox = new SqliteOutboxStore({ db });
    await outbox.append([event('e1')]);

    // Act
    await outbox.remove((await outbox.peek(1)).map((entry) => entry.seq));
    await sleep(60);

    // Assess
    expect(other.prepare('SELECT COUNT(*) FROM outbox').pluck().get()).toBe(0);
  });

  it('does not delete a newer event that took the seq of a removed one erased meanwhile', async () => {
    // Prepare: e1 is delivered and its removal waits; meanwhile it is erased and e2 is appended with the same seq.
    const { db } = twoConnections();
    const outbox = new SqliteOutboxStore({ db });
    await outbox.append([event('e1')]);
    const [delivered] = await outbox.peek(1);
    await outbox.remove([delivered!.seq]);
    db.prepare("DELETE FROM outbox WHERE event_id = 'e1'").run();
    await outbox.append([event('e2')]);
    const reused = db.prepare("SELECT seq FROM outbox WHERE event_id = 'e2'").pluck().get();

    // Act
    await groupCommitOf(db).flush();

    // Assess
    expect(reused).toBe(delivered!.seq);
    expect((await outbox.peek(25)).map((entry) => entry.event.id)).toEqual(['e2']);
    await expect(outbox.size()).resolves.toBe(1);
  });
});
