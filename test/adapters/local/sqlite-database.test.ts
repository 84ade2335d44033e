import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../../core/errors.js';
import { SQLITE_SCHEMA_VERSION, openSqliteDatabase } from '../../../adapters/local/sqlite-database.js';

describe('openSqliteDatabase', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sqlite-db-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates missing directories, turns on WAL and foreign keys, and records each migration once across reopens', () => {
    const path = join(tempDir(), 'nested', 'deeper', 'assistant.db');
    openSqliteDatabase(path).close();
    const db = openSqliteDatabase(path);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
      const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
      expect(versions).toEqual(Array.from({ length: SQLITE_SCHEMA_VERSION }, (_, i) => i + 1));
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer schema instead of misreading it', () => {
    const path = join(tempDir(), 'assistant.db');
    const db = openSqliteDatabase(path);
    db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, 'later')").run(
      SQLITE_SCHEMA_VERSION + 1,
    );
    db.close();
    expect(() => openSqliteDatabase(path)).toThrow(DependencyUnavailableError);
  });

  it('opens an in-memory database with the full schema', () => {
    const db = openSqliteDatabase(':memory:');
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables).toEqual(['conversations', 'outbox', 'profiles', 'schema_migrations', 'turns']);
    } finally {
      db.close();
    }
  });
});
