import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteCheckpointer } from '../../../adapters/local/sqlite-checkpointer.js';
import { openSqliteDatabase, type Database } from '../../../adapters/local/sqlite-database.js';
import { groupCommitOf } from '../../../adapters/local/sqlite-group-commit.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function openFile(): { db: Database; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'checkpointer-'));
  dirs.push(dir);
  const path = join(dir, 'assistant.db');
  return { db: openSqliteDatabase(path), path };
}

/** One committed write through the group commit, a page or more of WAL each. */
function write(db: Database, i: number): Promise<unknown> {
  return groupCommitOf(db).run('write', () =>
    db
      .prepare('INSERT INTO profiles (user_id, body, updated_at) VALUES (?, ?, ?)')
      .run(`u${i}`, 'x'.repeat(3000), '2026-01-01T00:00:00.000Z'),
  );
}

const until = async (condition: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('SqliteCheckpointer', () => {
  it('turns the serving connection’s automatic checkpoint off, and checkpoints from its worker instead', async () => {
    const { db } = openFile();
    const checkpointer = new SqliteCheckpointer(db, { intervalMs: 20 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    for (let i = 0; i < 50; i += 1) await write(db, i);
    await until(() => {
      const last = checkpointer.last;
      return last !== undefined && 'log' in last && last.log > 0 && last.checkpointed === last.log;
    });
    await checkpointer.stop();
    // Stopped, the connection checkpoints by itself again (and once more as it closes).
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    db.close();
  });

  it('rewinds a long WAL under steady writes: the log stays bounded, every write commits', async () => {
    const { db, path } = openFile();
    const checkpointer = new SqliteCheckpointer(db, { intervalMs: 5, restartFrames: 200 });
    await until(() => checkpointer.last !== undefined);
    const writes: Promise<unknown>[] = [];
    let largest = 0;
    // Writes in every round of the event loop for a while: a passive checkpoint alone could let the WAL grow.
    for (let i = 0; i < 1500; i += 1) {
      writes.push(write(db, i));
      if (i % 5 === 4) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        largest = Math.max(largest, statSync(`${path}-wal`).size);
      }
    }
    await Promise.all(writes);
    expect((db.prepare('SELECT COUNT(*) AS n FROM profiles').get() as { n: number }).n).toBe(1500);
    // 1500 writes of a page or more each (6 MB or more of WAL unless it rewinds), with a restart past 200 frames.
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(2 * 1024 * 1024);
    await checkpointer.stop();
    await checkpointer.stop();
    db.close();
  });

  it('refuses an in-memory database, which has no WAL', () => {
    const db = openSqliteDatabase(':memory:');
    expect(() => new SqliteCheckpointer(db)).toThrow(/in-memory/);
    db.close();
  });
});
