import type { IoOptions } from '../../core/model/io.js';
import type { UserProfile } from '../../core/model/profile.js';
import type { UserProfileStore } from '../../core/ports/user-profile-store.js';
import { throwIfAborted } from '../../core/errors.js';
import { plainCopy } from '../shared/plain-copy.js';

/** User profiles in process memory. */
export class MemoryUserProfileStore implements UserProfileStore {
  private readonly profiles = new Map<string, UserProfile>();

  async get({ userId, signal }: { userId: string } & IoOptions): Promise<UserProfile | undefined> {
    throwIfAborted(signal);
    const profile = this.profiles.get(userId);
    return profile && plainCopy(profile);
  }

  async put({ profile, signal }: { profile: UserProfile } & IoOptions): Promise<void> {
    throwIfAborted(signal);
    this.profiles.set(profile.userId, plainCopy(profile));
  }

  async delete({ userId, signal }: { userId: string } & IoOptions): Promise<boolean> {
    throwIfAborted(signal);
    return this.profiles.delete(userId);
  }
}
