import type { UserProfile } from '../../core/model/profile.js';
import type { UserProfileStore } from '../../core/ports/user-profile-store.js';

/** User profiles in process memory. */
export class MemoryUserProfileStore implements UserProfileStore {
  private readonly profiles = new Map<string, UserProfile>();

  async get(userId: string): Promise<UserProfile | undefined> {
    const profile = this.profiles.get(userId);
    return profile && structuredClone(profile);
  }

  async put(profile: UserProfile): Promise<void> {
    this.profiles.set(profile.userId, structuredClone(profile));
  }

  async delete(userId: string): Promise<boolean> {
    return this.profiles.delete(userId);
  }
}
