import { chmod, chown, mkdir, mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../entrypoints/composition/config.js';
import {
  DataDirNotPrivateError,
  ensurePrivateDataDir,
  usesDataDir,
} from '../../entrypoints/composition/private-data-dir.js';
import { composeAssistant } from '../../entrypoints/composition/container.js';
import { createLogger } from '../../entrypoints/composition/logger.js';
import { skipWhen } from '../support/skip-reason.js';

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

/** Every path under `dir` (not `dir` itself) with its permission bits, e.g. `{ 'assistant.db': 0o600 }`. */
async function modesUnder(dir: string): Promise<Record<string, number>> {
  const modes: Record<string, number> = {};
  for (const entry of await readdir(dir, { recursive: true })) modes[entry] = await modeOf(join(dir, entry));
  return modes;
}

const options = { logger: createLogger('silent') };

describe('DATA_DIR permissions', () => {
  const dirs: string[] = [];
  const scratch = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'assistant-private-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('creates a missing DATA_DIR 0700 and every file the local profile writes there 0600', async () => {
    // Prepare
    const dataDir = join(await scratch(), 'nested', 'data');

    // Act
    const assistant = await composeAssistant(loadConfig({ DATA_DIR: dataDir, TTS: 'none' }), options);
    try {
      const { id } = await assistant.conversations.create('alice');
      await assistant.handleTurn({ userId: 'alice', conversationId: id, input: { kind: 'text', text: 'hello' } });

      // Assess: with the database open, so its -wal and -shm exist too.
      expect(await modeOf(dataDir)).toBe(0o700);
      const modes = await modesUnder(dataDir);
      expect(Object.keys(modes)).toEqual(
        expect.arrayContaining(['assistant.db', 'assistant.db-wal', 'assistant.db-shm', 'auth-secret', 'nlu-cache']),
      );
      for (const [path, mode] of Object.entries(modes)) expect(mode, path).toBe(path === 'nlu-cache' ? 0o700 : 0o600);
      expect(Object.keys(modes).some((path) => path.startsWith('nlu-cache/'))).toBe(true);
    } finally {
      await assistant.close();
    }
  });

  it('tightens an existing 0755 DATA_DIR with 0644 files (database, secret, model cache) at start', async () => {
    // Prepare: what an earlier version left behind.
    const dataDir = await scratch();
    const db = new BetterSqlite3(join(dataDir, 'assistant.db'));
    db.exec('CREATE TABLE leftover (id INTEGER)');
    db.close();
    await writeFile(join(dataDir, 'auth-secret'), `${'s'.repeat(43)}\n`);
    await mkdir(join(dataDir, 'nlu-cache'));
    await writeFile(join(dataDir, 'nlu-cache', 'stale.json'), '{}');
    for (const path of ['assistant.db', 'auth-secret', 'nlu-cache/stale.json']) await chmod(join(dataDir, path), 0o644);
    await chmod(join(dataDir, 'nlu-cache'), 0o755);
    await chmod(dataDir, 0o755);

    // Act
    const assistant = await composeAssistant(loadConfig({ DATA_DIR: dataDir, TTS: 'none' }), options);
    await assistant.close();

    // Assess
    expect(await modeOf(dataDir)).toBe(0o700);
    const modes = await modesUnder(dataDir);
    expect(modes).toMatchObject({
      'assistant.db': 0o600,
      'auth-secret': 0o600,
      'nlu-cache': 0o700,
      'nlu-cache/stale.json': 0o600,
    });
    for (const [path, mode] of Object.entries(modes)) expect(mode & 0o077, path).toBe(0);
  });

  it('refuses to start when DATA_DIR is not a directory, naming the path', async () => {
    const file = join(await scratch(), 'not-a-dir');
    await writeFile(file, '');
    const starting = composeAssistant(loadConfig({ DATA_DIR: file, TTS: 'none' }), options);
    await expect(starting).rejects.toBeInstanceOf(DataDirNotPrivateError);
    await expect(starting).rejects.toThrow(`${file} is not a directory`);
  });

  it('leaves a symbolic link inside DATA_DIR and what it points to alone', async () => {
    const outside = join(await scratch(), 'shared.txt');
    await writeFile(outside, 'not ours to tighten');
    await chmod(outside, 0o644);
    const dataDir = await scratch();
    await symlink(outside, join(dataDir, 'link'));
    await ensurePrivateDataDir(dataDir);
    expect(await modeOf(outside)).toBe(0o644);
  });

  describe(
    'owned by another user',
    skipWhen(process.getuid?.() !== 0, 'only root can give a directory to another user'),
    () => {
      it('refuses to start, saying whose it is, and changes nothing', async () => {
        // Prepare
        const dataDir = await scratch();
        await chmod(dataDir, 0o755);
        await chown(dataDir, 4242, 4242);

        // Act
        const starting = composeAssistant(loadConfig({ DATA_DIR: dataDir, TTS: 'none' }), options);

        // Assess
        await expect(starting).rejects.toBeInstanceOf(DataDirNotPrivateError);
        await expect(starting).rejects.toThrow(/belongs to uid 4242, not to uid 0/);
        expect(await modeOf(dataDir)).toBe(0o755);
        expect(await readdir(dataDir)).toEqual([]);
      });

      it('refuses when a file inside belongs to another user', async () => {
        const dataDir = await scratch();
        await writeFile(join(dataDir, 'assistant.db'), '');
        await chown(join(dataDir, 'assistant.db'), 4242, 4242);
        await expect(ensurePrivateDataDir(dataDir)).rejects.toThrow(
          `${join(dataDir, 'assistant.db')} belongs to uid 4242`,
        );
      });
    },
  );

  it('is only touched by configurations that write to it', () => {
    expect(usesDataDir(loadConfig({}))).toBe(true);
    expect(usesDataDir(loadConfig({ CONVERSATION_STORE: 'memory', AUTH_SECRET: 'x'.repeat(43), NLU: 'nlpjs' }))).toBe(
      true,
    );
    const awsEverywhere = {
      ASSISTANT_PROFILE: 'aws',
      AWS_REGION: 'eu-west-1',
      COGNITO_USER_POOL_ID: 'eu-west-1_Abc123',
      COGNITO_CLIENT_ID: 'client',
      LEX_BOT_ID: 'BOT',
      LEX_BOT_ALIAS_ID: 'ALIAS',
    };
    expect(usesDataDir(loadConfig(awsEverywhere))).toBe(false);
  });
});
