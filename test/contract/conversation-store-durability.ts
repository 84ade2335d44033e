import { expect, it } from 'vitest';
import { ConversationNotFoundError, VersionConflictError } from '../../core/errors.js';
import {
  type ConversationStoreHandle,
  conversation,
  eventsOf,
  exchange,
  expectedIds,
  idsOf,
  newUser,
  seeded,
} from './conversation-store-fixtures.js';

/**
 * The ConversationStore contract's durability and outbox cases: what a durable store keeps across a reopen, and a
 * turn's domain events written with its exchange, in the same write, for the relay to deliver. Registered inside the
 * contract's describe; a store that is not durable, or whose factory cannot reopen it or read its outbox, skips them
 * and says which.
 */
export function describeDurabilityCases(setup: () => Promise<ConversationStoreHandle>): void {
  it('keeps everything across a reopen when it declares itself durable', async ({ skip }) => {
    const { store, reopen } = await setup();
    if (!store.capabilities.durable) return skip('the store declares durable: false');
    if (!reopen) return skip('the factory offers no reopen for this instance');
    const user = newUser();
    const first = await seeded(store, user, 3);
    const second = await seeded(store, user, 1);
    const listed = await store.list({ userId: user, limit: 10 });
    const reopened = await reopen();
    await expect(reopened.get({ userId: user, conversationId: first.id })).resolves.toEqual(first);
    await expect(reopened.get({ userId: user, conversationId: second.id })).resolves.toEqual(second);
    await expect(
      reopened.recentTurns({ userId: user, conversationId: first.id, limit: 10 }).then(idsOf),
    ).resolves.toEqual(expectedIds(first.id, 3));
    await expect(reopened.list({ userId: user, limit: 10 })).resolves.toEqual(listed);
    await expect(reopened.appendExchange(exchange(second, 1, 'after-reopen', 9))).resolves.toMatchObject({
      version: 2,
    });
  });

  it("writes an exchange's events with it: available to the relay once each, in order", async ({ skip }) => {
    const { store, pendingEvents } = await setup();
    if (!pendingEvents) return skip("the factory cannot read the store's outbox");
    const user = newUser();
    const created = conversation(user);
    await store.create({ conversation: created });
    const first = eventsOf(created, 'one', 1);
    const second = [...eventsOf(created, 'two', 2), { ...eventsOf(created, 'two-b', 2)[0]! }];
    const next = await store.appendExchange({ ...exchange(created, 0, 'one', 1), events: first });
    await store.appendExchange({ ...exchange(next, 1, 'two', 2), events: second });
    await store.appendExchange(exchange(next, 2, 'three', 3));
    await expect(pendingEvents(user)).resolves.toEqual([...first, ...second]);
  });

  it('writes no event when the append fails: version conflict or missing conversation', async ({ skip }) => {
    const { store, pendingEvents } = await setup();
    if (!pendingEvents) return skip("the factory cannot read the store's outbox");
    const user = newUser();
    const c = await seeded(store, user, 1);
    const stale = { ...exchange(c, 0, 'stale', 5), events: eventsOf(c, 'stale', 5) };
    await expect(store.appendExchange(stale)).rejects.toBeInstanceOf(VersionConflictError);
    const ghost = conversation(user);
    const missing = { ...exchange(ghost, 0, 'ghost', 5), events: eventsOf(ghost, 'ghost', 5) };
    await expect(store.appendExchange(missing)).rejects.toBeInstanceOf(ConversationNotFoundError);
    await expect(pendingEvents(user)).resolves.toEqual([]);
  });

  it("erases a user's events not yet relayed with the user, and only theirs", async ({ skip }) => {
    const { store, pendingEvents } = await setup();
    if (!pendingEvents) return skip("the factory cannot read the store's outbox");
    const [erased, kept] = [conversation(newUser()), conversation(newUser())];
    for (const c of [erased, kept]) {
      await store.create({ conversation: c });
      await store.appendExchange({ ...exchange(c, 0, 'e', 1), events: eventsOf(c, 'e', 1) });
    }
    await store.deleteAllForUser({ userId: erased.userId });
    await expect(pendingEvents(erased.userId)).resolves.toEqual([]);
    await expect(pendingEvents(kept.userId)).resolves.toHaveLength(2);
  });

  it('keeps events waiting for the relay across a reopen when it declares itself durable', async ({ skip }) => {
    const { store, reopen, pendingEvents } = await setup();
    if (!store.capabilities.durable) return skip('the store declares durable: false');
    if (!reopen || !pendingEvents) return skip('the factory offers no reopen or cannot read the outbox');
    const user = newUser();
    const created = conversation(user);
    await store.create({ conversation: created });
    const events = eventsOf(created, 'kept', 1);
    await store.appendExchange({ ...exchange(created, 0, 'kept', 1), events });
    await reopen();
    await expect(pendingEvents(user)).resolves.toEqual(events);
  });
}
