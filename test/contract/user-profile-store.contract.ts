import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { UserProfile } from '../../core/model/profile.js';
import { ErrorCodes } from '../../core/errors.js';
import type { UserProfileStore } from '../../core/ports/user-profile-store.js';
import { managedFactory } from './harness.js';

export interface UserProfileStoreHandle {
  store: UserProfileStore;
  dispose?: () => Promise<void>;
  /** Closes the store and opens it again on the same data; given only by adapters that can. */
  reopen?: () => Promise<UserProfileStore>;
}

// Fresh ids per test keep the suite valid against stores shared between tests.
const newUser = () => `user-${randomUUID()}`;

function profile(userId: string, overrides: Partial<UserProfile['preferences']> = {}): UserProfile {
  return {
    userId,
    updatedAt: '2026-03-01T09:00:00.000Z',
    preferences: {
      voice: 'amy',
      language: 'en-GB',
      units: 'metric',
      timeZone: 'Europe/London',
      homeCity: 'Leeds',
      ...overrides,
    },
  };
}

const aborted = () => AbortSignal.abort(new Error('caller gave up'));
const isAborted = { code: ErrorCodes.ABORTED };

/** The UserProfileStore contract every adapter must pass; `make` builds a fresh, independent store per test. */
export function describeUserProfileStoreContract(name: string, make: () => Promise<UserProfileStoreHandle>): void {
  describe(`UserProfileStore contract: ${name}`, () => {
    const setup = managedFactory(make);

    it('returns what was put, and undefined for a user without a profile', async () => {
      const { store } = await setup();
      const saved = profile(newUser());
      await store.put({ profile: saved });
      await expect(store.get({ userId: saved.userId })).resolves.toEqual(saved);
      await expect(store.get({ userId: newUser() })).resolves.toBeUndefined();
    });

    it('keeps optional preferences absent when they were not given', async () => {
      const { store } = await setup();
      const userId = newUser();
      const minimal: UserProfile = {
        userId,
        updatedAt: '2026-03-02T10:00:00.000Z',
        preferences: { language: 'de-DE', units: 'metric', timeZone: 'Europe/Berlin' },
      };
      await store.put({ profile: minimal });
      const stored = await store.get({ userId });
      expect(stored).toEqual(minimal);
      expect(stored?.preferences.homeCity).toBeUndefined();
      expect(stored?.preferences.voice).toBeUndefined();
    });

    it('replaces the whole profile on a second put', async () => {
      const { store } = await setup();
      const userId = newUser();
      await store.put({ profile: profile(userId) });
      const replacement: UserProfile = {
        userId,
        updatedAt: '2026-03-05T12:00:00.000Z',
        preferences: { language: 'en-US', units: 'imperial', timeZone: 'America/Denver' },
      };
      await store.put({ profile: replacement });
      await expect(store.get({ userId })).resolves.toEqual(replacement);
    });

    it('deletes a profile: true, then false', async () => {
      const { store } = await setup();
      const saved = profile(newUser());
      await store.put({ profile: saved });
      await expect(store.delete({ userId: saved.userId })).resolves.toBe(true);
      await expect(store.delete({ userId: saved.userId })).resolves.toBe(false);
      await expect(store.get({ userId: saved.userId })).resolves.toBeUndefined();
      await expect(store.delete({ userId: newUser() })).resolves.toBe(false);
    });

    it("keeps users apart: one user's put and delete never touch another's profile", async () => {
      const { store } = await setup();
      const alice = profile(newUser(), { homeCity: 'Oslo' });
      const bob = profile(newUser(), { homeCity: 'Lima', units: 'imperial' });
      await store.put({ profile: alice });
      await store.put({ profile: bob });
      await store.put({ profile: { ...alice, preferences: { ...alice.preferences, homeCity: 'Bergen' } } });
      await expect(store.get({ userId: bob.userId })).resolves.toEqual(bob);
      await expect(store.delete({ userId: alice.userId })).resolves.toBe(true);
      await expect(store.get({ userId: bob.userId })).resolves.toEqual(bob);
    });

    it('hands out copies: mutating the input or a result never changes what is stored', async () => {
      const { store } = await setup();
      const input = profile(newUser());
      const pristine = structuredClone(input);
      await store.put({ profile: input });
      input.preferences.homeCity = 'mutated';
      const fetched = await store.get({ userId: pristine.userId });
      expect(fetched).toEqual(pristine);
      fetched!.preferences.units = 'imperial';
      fetched!.updatedAt = 'mutated';
      await expect(store.get({ userId: pristine.userId })).resolves.toEqual(pristine);
    });

    it('keeps profiles across a reopen when the factory can reopen', async ({ skip }) => {
      const { store, reopen } = await setup();
      if (!reopen) return skip('the factory offers no reopen for this instance');
      const saved = profile(newUser());
      await store.put({ profile: saved });
      const reopened = await reopen();
      await expect(reopened.get({ userId: saved.userId })).resolves.toEqual(saved);
    });

    it('rejects every call with ABORTED when the signal has already fired, and writes nothing', async () => {
      const { store } = await setup();
      const kept = profile(newUser());
      const fresh = profile(newUser());
      await store.put({ profile: kept });
      await expect(store.put({ profile: fresh, signal: aborted() })).rejects.toMatchObject(isAborted);
      await expect(
        store.put({ profile: { ...kept, updatedAt: '2026-04-01T00:00:00.000Z' }, signal: aborted() }),
      ).rejects.toMatchObject(isAborted);
      await expect(store.delete({ userId: kept.userId, signal: aborted() })).rejects.toMatchObject(isAborted);
      await expect(store.get({ userId: kept.userId, signal: aborted() })).rejects.toMatchObject(isAborted);
      await expect(store.get({ userId: fresh.userId })).resolves.toBeUndefined();
      await expect(store.get({ userId: kept.userId })).resolves.toEqual(kept);
    });
  });
}
