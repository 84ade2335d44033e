import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../core/model/conversation.js';
import { ConversationNotFoundError, ValidationError, VersionConflictError } from '../../core/errors.js';
import { describeDurabilityCases } from './conversation-store-durability.js';
import { managedFactory, walkPages } from './harness.js';
import {
  type ConversationStoreHandle,
  at,
  newUser,
  newId,
  stateNo,
  conversation,
  turnPair,
  exchange,
  aborted,
  isAborted,
  seeded,
  idsOf,
  expectedIds,
} from './conversation-store-fixtures.js';

export type { ConversationStoreHandle } from './conversation-store-fixtures.js';

/** The ConversationStore contract every adapter must pass; `make` builds a fresh, independent store per test. */
export function describeConversationStoreContract(name: string, make: () => Promise<ConversationStoreHandle>): void {
  describe(`ConversationStore contract: ${name}`, () => {
    const setup = managedFactory(make);

    it('returns what was created, dialogue state included', async () => {
      const { store } = await setup();
      const plain = conversation(newUser());
      const titled = conversation(plain.userId, newId(), 3, 'Weather in Oslo');
      await store.create({ conversation: plain });
      await store.create({ conversation: titled });
      await expect(store.get({ userId: plain.userId, conversationId: plain.id })).resolves.toEqual(plain);
      await expect(store.get({ userId: titled.userId, conversationId: titled.id })).resolves.toEqual(titled);
    });

    it('rejects creating a conversation that already exists and keeps the original', async () => {
      const { store } = await setup();
      const original = conversation(newUser());
      await store.create({ conversation: original });
      await expect(
        store.create({ conversation: { ...original, state: stateNo(9), title: 'other' } }),
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(store.get({ userId: original.userId, conversationId: original.id })).resolves.toEqual(original);
    });

    it('reports an unknown conversation as undefined', async () => {
      const { store } = await setup();
      await expect(store.get({ userId: newUser(), conversationId: newId() })).resolves.toBeUndefined();
    });

    it("hides another user's conversation from every operation", async () => {
      const { store } = await setup();
      const owner = newUser();
      const intruder = newUser();
      const mine = await seeded(store, owner, 1);
      await expect(store.get({ userId: intruder, conversationId: mine.id })).resolves.toBeUndefined();
      await expect(store.turns({ userId: intruder, conversationId: mine.id, limit: 10 })).resolves.toEqual({
        items: [],
      });
      await expect(store.recentTurns({ userId: intruder, conversationId: mine.id, limit: 10 })).resolves.toEqual([]);
      await expect(store.list({ userId: intruder, limit: 10 })).resolves.toEqual({ items: [] });
      await expect(store.appendExchange(exchange({ userId: intruder, id: mine.id }, 1, 'x', 9))).rejects.toBeInstanceOf(
        ConversationNotFoundError,
      );
      await expect(store.delete({ userId: intruder, conversationId: mine.id })).resolves.toBe(false);
      await expect(store.deleteAllForUser({ userId: intruder })).resolves.toBe(0);
      await expect(store.get({ userId: owner, conversationId: mine.id })).resolves.toEqual(mine);
      await expect(
        store.recentTurns({ userId: owner, conversationId: mine.id, limit: 10 }).then(idsOf),
      ).resolves.toEqual(expectedIds(mine.id, 1));
    });

    it('appends an exchange: version, turns in order, state, updatedAt and turnCount', async () => {
      const { store } = await setup();
      const created = conversation(newUser());
      await store.create({ conversation: created });
      const first = await store.appendExchange(exchange(created, 0, 'one', 5));
      expect(first).toEqual({ ...created, version: 1, turnCount: 2, updatedAt: at(5), state: stateNo(1) });
      const second = await store.appendExchange(exchange(first, 1, 'two', 7));
      expect(second).toEqual({ ...created, version: 2, turnCount: 4, updatedAt: at(7), state: stateNo(2) });
      await expect(store.get({ userId: created.userId, conversationId: created.id })).resolves.toEqual(second);
      const page = await store.turns({ userId: created.userId, conversationId: created.id, limit: 10 });
      expect(page.items).toEqual([...turnPair('one', 5), ...turnPair('two', 7)]);
      expect(page.nextCursor).toBeUndefined();
    });

    it('sets the title only while it is unset', async () => {
      const { store } = await setup();
      const untitled = conversation(newUser());
      await store.create({ conversation: untitled });
      const kept = await store.appendExchange(exchange(untitled, 0, 'a', 1));
      expect(kept.title).toBeUndefined();
      const named = await store.appendExchange(exchange(kept, 1, 'b', 2, 'First title'));
      expect(named.title).toBe('First title');
      const renamed = await store.appendExchange(exchange(named, 2, 'c', 3, 'Second title'));
      expect(renamed.title).toBe('First title');
      const titled = conversation(untitled.userId, newId(), 0, 'Given at creation');
      await store.create({ conversation: titled });
      await expect(store.appendExchange(exchange(titled, 0, 'd', 4, 'Ignored'))).resolves.toMatchObject({
        title: 'Given at creation',
      });
      await expect(store.get({ userId: untitled.userId, conversationId: untitled.id })).resolves.toMatchObject({
        title: 'First title',
      });
    });

    it('rejects a stale or future expectedVersion with VersionConflictError and changes nothing', async () => {
      const { store } = await setup();
      const current = await seeded(store, newUser(), 1);
      const turnsBefore = await store.turns({ userId: current.userId, conversationId: current.id, limit: 10 });
      for (const expectedVersion of [0, 2, 7]) {
        const attempt = {
          ...exchange(current, expectedVersion, `stale-${expectedVersion}`, 30, 'Late title'),
          state: stateNo(99),
        };
        const failure = await store.appendExchange(attempt).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(VersionConflictError);
        expect(failure).toMatchObject({ conversationId: current.id, expectedVersion, retryable: true });
      }
      await expect(store.get({ userId: current.userId, conversationId: current.id })).resolves.toEqual(current);
      await expect(store.turns({ userId: current.userId, conversationId: current.id, limit: 10 })).resolves.toEqual(
        turnsBefore,
      );
    });

    it('rejects an append to a missing conversation with ConversationNotFoundError and creates nothing', async () => {
      const { store } = await setup();
      const ghost = { userId: newUser(), id: newId() };
      await expect(store.appendExchange(exchange(ghost, 0, 'g', 1))).rejects.toBeInstanceOf(ConversationNotFoundError);
      await expect(store.get({ userId: ghost.userId, conversationId: ghost.id })).resolves.toBeUndefined();
      await expect(store.recentTurns({ userId: ghost.userId, conversationId: ghost.id, limit: 10 })).resolves.toEqual(
        [],
      );
      await expect(store.list({ userId: ghost.userId, limit: 10 })).resolves.toEqual({ items: [] });
    });

    it('returns the last N turns, oldest first', async () => {
      const { store } = await setup();
      const c = await seeded(store, newUser(), 5);
      const all = expectedIds(c.id, 5);
      await expect(
        store.recentTurns({ userId: c.userId, conversationId: c.id, limit: 3 }).then(idsOf),
      ).resolves.toEqual(all.slice(-3));
      await expect(
        store.recentTurns({ userId: c.userId, conversationId: c.id, limit: 10 }).then(idsOf),
      ).resolves.toEqual(all);
      await expect(
        store.recentTurns({ userId: c.userId, conversationId: c.id, limit: 50 }).then(idsOf),
      ).resolves.toEqual(all);
      await expect(store.recentTurns({ userId: c.userId, conversationId: c.id, limit: 0 })).resolves.toEqual([]);
      await expect(store.recentTurns({ userId: c.userId, conversationId: newId(), limit: 3 })).resolves.toEqual([]);
    });

    it('walks every turn exactly once, oldest first, three at a time', async () => {
      const { store } = await setup();
      const c = await seeded(store, newUser(), 5);
      const { items, pages } = await walkPages(
        (cursor) => store.turns({ userId: c.userId, conversationId: c.id, limit: 3, ...(cursor && { cursor }) }),
        20,
      );
      expect(idsOf(items)).toEqual(expectedIds(c.id, 5));
      expect(pages[0]).toHaveLength(3);
      for (const page of pages) expect(page.length).toBeLessThanOrEqual(3);
    });

    it("lists a user's conversations newest first, paginated without duplicates or gaps", async () => {
      const { store } = await setup();
      const user = newUser();
      const created = Array.from({ length: 25 }, (_, i) => conversation(user, newId(), i));
      for (const c of created) await store.create({ conversation: c });
      const others = [conversation(newUser()), conversation(newUser())];
      for (const c of others) await store.create({ conversation: c });
      // Update in a scrambled order, two conversations per minute, so recency differs from creation and ties occur.
      const updated = new Map<string, Conversation>();
      for (let k = 0; k < 25; k += 1) {
        const target = created[(k * 7) % 25]!;
        updated.set(
          target.id,
          await store.appendExchange(exchange(target, 0, `${target.id}-e0`, 100 + Math.floor(k / 2), `Title ${k}`)),
        );
      }
      const { items, pages } = await walkPages(
        (cursor) => store.list({ userId: user, limit: 4, ...(cursor && { cursor }) }),
        30,
      );
      expect(pages[0]).toHaveLength(4);
      for (const page of pages) expect(page.length).toBeLessThanOrEqual(4);
      expect(items).toHaveLength(25);
      expect(new Set(items.map((s) => s.id)).size).toBe(25);
      expect(items[0]?.id).toBe(created[(24 * 7) % 25]?.id);
      const newestFirst = [...updated.values()]
        .map((c) => c.updatedAt)
        .sort()
        .reverse();
      expect(items.map((s) => s.updatedAt)).toEqual(newestFirst);
      for (const summary of items) {
        const c = updated.get(summary.id);
        expect(summary).toEqual({
          id: c?.id,
          title: c?.title,
          createdAt: c?.createdAt,
          updatedAt: c?.updatedAt,
          turnCount: 2,
        });
      }
    });

    it('lists nothing for a user without conversations', async () => {
      const { store } = await setup();
      await store.create({ conversation: conversation(newUser()) });
      await expect(store.list({ userId: newUser(), limit: 5 })).resolves.toEqual({ items: [] });
    });

    it('deletes a conversation with its turns: true, then false', async () => {
      const { store } = await setup();
      const user = newUser();
      const gone = await seeded(store, user, 2);
      const kept = await seeded(store, user, 1);
      await expect(store.delete({ userId: user, conversationId: gone.id })).resolves.toBe(true);
      await expect(store.delete({ userId: user, conversationId: gone.id })).resolves.toBe(false);
      await expect(store.get({ userId: user, conversationId: gone.id })).resolves.toBeUndefined();
      await expect(store.turns({ userId: user, conversationId: gone.id, limit: 10 })).resolves.toEqual({ items: [] });
      await expect(store.recentTurns({ userId: user, conversationId: gone.id, limit: 10 })).resolves.toEqual([]);
      await expect(store.list({ userId: user, limit: 10 }).then((p) => p.items.map((s) => s.id))).resolves.toEqual([
        kept.id,
      ]);
      await expect(
        store.recentTurns({ userId: user, conversationId: kept.id, limit: 10 }).then(idsOf),
      ).resolves.toEqual(expectedIds(kept.id, 1));
    });

    it("deletes all of one user's conversations and turns, reports the count and leaves other users alone", async () => {
      const { store } = await setup();
      const leaving = newUser();
      const staying = newUser();
      const theirs = [
        await seeded(store, leaving, 1),
        await seeded(store, leaving, 2),
        await seeded(store, leaving, 0),
      ];
      const others = [await seeded(store, staying, 2), await seeded(store, staying, 1)];
      await expect(store.deleteAllForUser({ userId: leaving })).resolves.toBe(3);
      await expect(store.deleteAllForUser({ userId: leaving })).resolves.toBe(0);
      await expect(store.list({ userId: leaving, limit: 10 })).resolves.toEqual({ items: [] });
      for (const c of theirs) {
        await expect(store.get({ userId: leaving, conversationId: c.id })).resolves.toBeUndefined();
        await expect(store.recentTurns({ userId: leaving, conversationId: c.id, limit: 10 })).resolves.toEqual([]);
      }
      // Re-using an id must start clean: no turns may outlive their conversation.
      const reborn = theirs[1]!;
      await store.create({ conversation: conversation(leaving, reborn.id) });
      await expect(store.recentTurns({ userId: leaving, conversationId: reborn.id, limit: 10 })).resolves.toEqual([]);
      await expect(store.list({ userId: staying, limit: 10 }).then((p) => p.items.length)).resolves.toBe(2);
      for (const c of others) {
        await expect(store.get({ userId: staying, conversationId: c.id })).resolves.toEqual(c);
        await expect(
          store.recentTurns({ userId: staying, conversationId: c.id, limit: 10 }).then(idsOf),
        ).resolves.toEqual(expectedIds(c.id, c.turnCount / 2));
      }
    });

    it('lets exactly one of 50 concurrent appends with the same expectedVersion win', async () => {
      const { store } = await setup();
      const c = conversation(newUser());
      await store.create({ conversation: c });
      const writers = Array.from({ length: 50 }, (_, i) => store.appendExchange(exchange(c, 0, `w${i}`, 1)));
      const outcomes = await Promise.allSettled(writers);
      const winners = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(VersionConflictError);
      await expect(store.get({ userId: c.userId, conversationId: c.id })).resolves.toMatchObject({
        version: 1,
        turnCount: 2,
      });
      await expect(
        store.recentTurns({ userId: c.userId, conversationId: c.id, limit: 10 }).then(idsOf),
      ).resolves.toEqual([`w${winners[0]}-u`, `w${winners[0]}-a`]);
    });

    it('stores every turn exactly once, pairs kept together, when 50 writers re-read and retry on conflict', async () => {
      const { store } = await setup();
      const c = conversation(newUser());
      await store.create({ conversation: c });
      const write = async (writer: number): Promise<void> => {
        for (let attempt = 0; attempt < 100; attempt += 1) {
          const current = await store.get({ userId: c.userId, conversationId: c.id });
          if (!current) throw new Error('conversation vanished');
          try {
            await store.appendExchange(exchange(current, current.version, `w${writer}`, 1));
            return;
          } catch (error) {
            if (!(error instanceof VersionConflictError)) throw error;
          }
        }
        throw new Error(`writer ${writer} never got its exchange in`);
      };
      await Promise.all(Array.from({ length: 50 }, (_, i) => write(i)));
      await expect(store.get({ userId: c.userId, conversationId: c.id })).resolves.toMatchObject({
        version: 50,
        turnCount: 100,
      });
      const recent = idsOf(await store.recentTurns({ userId: c.userId, conversationId: c.id, limit: 100 }));
      const walked = idsOf(
        (
          await walkPages(
            (cursor) => store.turns({ userId: c.userId, conversationId: c.id, limit: 7, ...(cursor && { cursor }) }),
            30,
          )
        ).items,
      );
      expect(walked).toEqual(recent);
      expect(recent).toHaveLength(100);
      expect(new Set(recent).size).toBe(100);
      for (let i = 0; i < 100; i += 2) expect(recent[i + 1]).toBe(recent[i]?.replace(/-u$/, '-a'));
      expect(new Set(recent.map((id) => id.replace(/-[ua]$/, ''))).size).toBe(50);
      // 50 writers racing on one header retry about n²/2 times: seconds against an emulator on a busy machine.
    }, 60_000);

    it('hands out copies: mutating inputs or results never changes what is stored', async () => {
      const { store } = await setup();
      const input = conversation(newUser());
      const pristine = structuredClone(input);
      await store.create({ conversation: input });
      input.state.skills['music'] = { mutated: true };
      input.title = 'mutated';
      await expect(store.get({ userId: pristine.userId, conversationId: pristine.id })).resolves.toEqual(pristine);
      const append = exchange(pristine, 0, 'copy', 2);
      const appended = await store.appendExchange(append);
      const stored = structuredClone(appended);
      append.turns[0]!.text = 'mutated';
      appended.state.skills['music'] = { mutated: true };
      appended.turnCount = 99;
      const fetched = await store.get({ userId: pristine.userId, conversationId: pristine.id });
      expect(fetched).toEqual(stored);
      fetched!.state.lastIntent = 'mutated';
      const recent = await store.recentTurns({ userId: pristine.userId, conversationId: pristine.id, limit: 2 });
      recent[0]!.text = 'mutated';
      recent[1]!.data!['cached'] = 'mutated';
      const paged = await store.turns({ userId: pristine.userId, conversationId: pristine.id, limit: 2 });
      expect(paged.items).toEqual(turnPair('copy', 2));
      paged.items[0]!.slots!['city'] = 'mutated';
      const listed = await store.list({ userId: pristine.userId, limit: 1 });
      listed.items[0]!.turnCount = 99;
      await expect(store.get({ userId: pristine.userId, conversationId: pristine.id })).resolves.toEqual(stored);
      await expect(
        store.recentTurns({ userId: pristine.userId, conversationId: pristine.id, limit: 2 }),
      ).resolves.toEqual(turnPair('copy', 2));
      await expect(store.list({ userId: pristine.userId, limit: 1 }).then((p) => p.items[0]?.turnCount)).resolves.toBe(
        2,
      );
    });

    describeDurabilityCases(setup);

    it('rejects a cursor it did not issue, and a page limit below one, with ValidationError', async () => {
      const { store } = await setup();
      const c = await seeded(store, newUser(), 2);
      for (const cursor of ['%%not-a-cursor%%', 'abc', 'x'.repeat(2000)]) {
        await expect(store.turns({ userId: c.userId, conversationId: c.id, limit: 2, cursor })).rejects.toBeInstanceOf(
          ValidationError,
        );
        await expect(store.list({ userId: c.userId, limit: 2, cursor })).rejects.toBeInstanceOf(ValidationError);
      }
      await expect(store.turns({ userId: c.userId, conversationId: c.id, limit: 0 })).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(store.list({ userId: c.userId, limit: 0 })).rejects.toBeInstanceOf(ValidationError);
    });

    it('rejects every call with ABORTED when the signal has already fired, and writes nothing', async () => {
      const { store } = await setup();
      const userId = newUser();
      const existing = await seeded(store, userId, 1);
      const key = { userId, conversationId: existing.id };
      const fresh = conversation(userId);
      await expect(store.create({ conversation: fresh, signal: aborted() })).rejects.toMatchObject(isAborted);
      await expect(
        store.appendExchange({ ...exchange(existing, existing.version, 'late', 5), signal: aborted() }),
      ).rejects.toMatchObject(isAborted);
      await expect(store.delete({ ...key, signal: aborted() })).rejects.toMatchObject(isAborted);
      await expect(store.deleteAllForUser({ userId, signal: aborted() })).rejects.toMatchObject(isAborted);
      await expect(store.get({ ...key, signal: aborted() })).rejects.toMatchObject(isAborted);
      await expect(store.recentTurns({ ...key, limit: 10, signal: aborted() })).rejects.toMatchObject(isAborted);
      await expect(store.turns({ ...key, limit: 10, signal: aborted() })).rejects.toMatchObject(isAborted);
      await expect(store.list({ userId, limit: 10, signal: aborted() })).rejects.toMatchObject(isAborted);
      await expect(store.get({ userId, conversationId: fresh.id })).resolves.toBeUndefined();
      await expect(store.get(key)).resolves.toEqual(existing);
      await expect(store.recentTurns({ ...key, limit: 10 }).then(idsOf)).resolves.toEqual(expectedIds(existing.id, 1));
    });
  });
}
