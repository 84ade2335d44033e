import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteDatabase, type Database } from '../../../adapters/local/sqlite-database.js';
import { SqliteConversationStore } from '../../../adapters/local/sqlite-conversation-store.js';
import { knownRowsOf } from '../../../adapters/local/sqlite-known-rows.js';
import { SqliteUserProfileStore } from '../../../adapters/local/sqlite-user-profile-store.js';
import { VersionConflictError } from '../../../core/errors.js';
import type { Conversation, Turn } from '../../../core/model/conversation.js';
import { emptyDialogueState } from '../../../core/model/dialogue-state.js';
import type { UserProfile } from '../../../core/model/profile.js';

const dirs: string[] = [];
const open: Database[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Two connections to one file: this process, and what another process on the same data directory would have. */
function twoProcesses() {
  const dir = mkdtempSync(join(tmpdir(), 'known-rows-'));
  dirs.push(dir);
  const path = join(dir, 'assistant.db');
  const here = openSqliteDatabase(path);
  const there = openSqliteDatabase(path);
  open.push(here, there);
  return {
    here: {
      db: here,
      conversations: new SqliteConversationStore({ db: here }),
      profiles: new SqliteUserProfileStore({ db: here }),
    },
    there: {
      db: there,
      conversations: new SqliteConversationStore({ db: there }),
      profiles: new SqliteUserProfileStore({ db: there }),
    },
  };
}

const at = '2026-01-01T00:00:00.000Z';
const conversation = (id: string): Conversation => ({
  id,
  userId: 'u1',
  createdAt: at,
  updatedAt: at,
  version: 0,
  turnCount: 0,
  state: emptyDialogueState(),
});
const turn = (id: string): Turn => ({ id, role: 'user', text: id, at });
const append = (store: SqliteConversationStore, expectedVersion: number, turnId: string, lastIntent: string) =>
  store.appendExchange({
    userId: 'u1',
    conversationId: 'c1',
    expectedVersion,
    turns: [turn(turnId)],
    state: { ...emptyDialogueState(), lastIntent },
    at,
  });
const profile = (timeZone: string): UserProfile => ({
  userId: 'u1',
  preferences: { language: 'en-US', units: 'metric', timeZone },
  updatedAt: at,
});

describe('SQLite known rows: what this connection read or wrote, never stale across processes', () => {
  it('sees a conversation another process appended to, after reading and appending to it here', async () => {
    // Prepare
    const { here, there } = twoProcesses();
    await here.conversations.create({ conversation: conversation('c1') });
    await append(here.conversations, 0, 't1', 'here');
    await here.conversations.get({ userId: 'u1', conversationId: 'c1' });

    // Act
    await append(there.conversations, 1, 't2', 'there');
    const seen = await here.conversations.get({ userId: 'u1', conversationId: 'c1' });

    // Assess
    expect(seen).toMatchObject({ version: 2, turnCount: 2, state: { lastIntent: 'there' } });
  });

  it('refuses an append here at a version another process moved past, and then sees that version', async () => {
    // Prepare
    const { here, there } = twoProcesses();
    await here.conversations.create({ conversation: conversation('c1') });
    await append(here.conversations, 0, 't1', 'here');
    await append(there.conversations, 1, 't2', 'there');

    // Act
    const stale = append(here.conversations, 1, 't3', 'here again');

    // Assess
    await expect(stale).rejects.toBeInstanceOf(VersionConflictError);
    await expect(here.conversations.get({ userId: 'u1', conversationId: 'c1' })).resolves.toMatchObject({ version: 2 });
    await expect(append(here.conversations, 2, 't3', 'here again')).resolves.toMatchObject({
      version: 3,
      turnCount: 3,
    });
    expect(
      (await there.conversations.recentTurns({ userId: 'u1', conversationId: 'c1', limit: 10 })).map((t) => t.id),
    ).toEqual(['t1', 't2', 't3']);
  });

  it('does not answer from a header another process deleted and created again at the same version', async () => {
    // Prepare
    const { here, there } = twoProcesses();
    await here.conversations.create({ conversation: conversation('c1') });
    await here.conversations.get({ userId: 'u1', conversationId: 'c1' });
    await there.conversations.delete({ userId: 'u1', conversationId: 'c1' });
    await there.conversations.create({
      conversation: { ...conversation('c1'), createdAt: '2026-02-02T00:00:00.000Z' },
    });

    // Act
    const seen = await here.conversations.get({ userId: 'u1', conversationId: 'c1' });
    const appended = await append(here.conversations, 0, 't1', 'here');

    // Assess
    expect(seen?.createdAt).toBe('2026-02-02T00:00:00.000Z');
    expect(appended.createdAt).toBe('2026-02-02T00:00:00.000Z');
  });

  it('returns the header an append wrote, as a read of the file would', async () => {
    // Prepare
    const { here, there } = twoProcesses();
    await here.conversations.create({ conversation: conversation('c1') });
    await here.conversations.get({ userId: 'u1', conversationId: 'c1' });

    // Act
    const appended = await here.conversations.appendExchange({
      userId: 'u1',
      conversationId: 'c1',
      expectedVersion: 0,
      turns: [turn('t1'), turn('t2')],
      state: { ...emptyDialogueState(), lastIntent: 'x' },
      at: '2026-01-01T00:00:05.000Z',
      title: 'first words',
    });

    // Assess
    const read = await there.conversations.get({ userId: 'u1', conversationId: 'c1' });
    expect(appended).toEqual(read);
    expect(read).toMatchObject({
      version: 1,
      turnCount: 2,
      title: 'first words',
      updatedAt: '2026-01-01T00:00:05.000Z',
    });
  });

  it('sees preferences another process wrote or removed after reading them here', async () => {
    // Prepare
    const { here, there } = twoProcesses();
    await expect(here.profiles.get({ userId: 'u1' })).resolves.toBeUndefined();

    // Act
    await there.profiles.put({ profile: profile('Europe/Paris') });
    const afterPut = await here.profiles.get({ userId: 'u1' });
    await here.profiles.put({ profile: profile('Asia/Tokyo') });
    const ownPut = await here.profiles.get({ userId: 'u1' });
    await there.profiles.delete({ userId: 'u1' });
    const afterDelete = await here.profiles.get({ userId: 'u1' });

    // Assess
    expect(afterPut?.preferences.timeZone).toBe('Europe/Paris');
    expect(ownPut?.preferences.timeZone).toBe('Asia/Tokyo');
    expect(afterDelete).toBeUndefined();
  });

  it('hands out copies: changing what get returned changes nothing kept', async () => {
    // Prepare
    const { here } = twoProcesses();
    await here.conversations.create({ conversation: conversation('c1') });
    await here.profiles.put({ profile: profile('Europe/Paris') });
    const first = await here.conversations.get({ userId: 'u1', conversationId: 'c1' });
    const preferences = await here.profiles.get({ userId: 'u1' });

    // Act
    first!.state.lastIntent = 'mutated';
    first!.version = 99;
    preferences!.preferences.timeZone = 'mutated';

    // Assess
    await expect(here.conversations.get({ userId: 'u1', conversationId: 'c1' })).resolves.toEqual(conversation('c1'));
    await expect(here.profiles.get({ userId: 'u1' })).resolves.toEqual(profile('Europe/Paris'));
  });

  it('empties every table of a connection when another connection commits, from the next microtask on', async () => {
    // Prepare
    const { here, there } = twoProcesses();
    const known = knownRowsOf(here.db);
    known.fresh<string>('a').set('k', 'v');
    known.rows<string>('b').set('k', 'w');
    await nextMicrotask();

    // Act: the look taken before the commit serves the rest of its synchronous run, and only it
    const untouched = known.fresh<string>('a').get('k');
    there.db.prepare("INSERT INTO profiles (user_id, body, updated_at) VALUES ('x', '{}', 'now')").run();
    const sameRun = known.fresh<string>('a').get('k');
    await nextMicrotask();
    const afterCommit = known.fresh<string>('a').get('k');
    const otherTable = known.rows<string>('b').get('k');

    // Assess
    expect(untouched).toBe('v');
    expect(sameRun).toBe('v');
    expect(afterCommit).toBeUndefined();
    expect(otherTable).toBeUndefined();
  });

  it('looks at the file once per synchronous run outside a transaction, and at every use inside one', async () => {
    // Prepare: every run of PRAGMA data_version on a connection of its own
    const dir = mkdtempSync(join(tmpdir(), 'known-rows-'));
    dirs.push(dir);
    const db = openSqliteDatabase(join(dir, 'assistant.db'));
    open.push(db);
    let looks = 0;
    const prepare = db.prepare.bind(db);
    db.prepare = ((source: string) => {
      const statement = prepare(source);
      if (source === 'PRAGMA data_version') {
        const get = statement.get.bind(statement);
        statement.get = (...parameters: unknown[]) => {
          looks += 1;
          return get(...parameters);
        };
      }
      return statement;
    }) as typeof db.prepare;
    const known = knownRowsOf(db);

    // Act
    for (let i = 0; i < 3; i += 1) known.fresh('a');
    const oneRun = looks;
    await nextMicrotask();
    known.fresh('a');
    const nextRun = looks;
    db.transaction(() => {
      known.fresh('a');
      known.fresh('b');
    })();
    const inTransaction = looks - nextRun;

    // Assess
    expect(oneRun).toBe(1);
    expect(nextRun).toBe(2);
    expect(inTransaction).toBe(2);
  });
});

const nextMicrotask = () => new Promise<void>((resolve) => queueMicrotask(resolve));
