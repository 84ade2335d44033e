import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase } from '../../../adapters/local/sqlite-database.js';
import { SqliteUserProfileStore } from '../../../adapters/local/sqlite-user-profile-store.js';
import { describeUserProfileStoreContract } from '../../contract/user-profile-store.contract.js';

describeUserProfileStoreContract('SqliteUserProfileStore (:memory:)', async () => {
  const db = openSqliteDatabase(':memory:');
  return { store: new SqliteUserProfileStore({ db }), dispose: async () => void db.close() };
});

describeUserProfileStoreContract('SqliteUserProfileStore (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'profiles-'));
  const path = join(dir, 'assistant.db');
  let db = openSqliteDatabase(path);
  return {
    store: new SqliteUserProfileStore({ db }),
    reopen: async () => {
      db.close();
      db = openSqliteDatabase(path);
      return new SqliteUserProfileStore({ db });
    },
    dispose: async () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
