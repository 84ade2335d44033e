import type { UserProfile } from '../model/profile.js';

export interface UserProfileStore {
  get(userId: string): Promise<UserProfile | undefined>;
  put(profile: UserProfile): Promise<void>;
  delete(userId: string): Promise<boolean>;
}
