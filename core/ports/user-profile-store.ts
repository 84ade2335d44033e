import type { IoOptions } from '../model/io.js';
import type { UserProfile } from '../model/profile.js';

export interface UserProfileStore {
  get(request: { userId: string } & IoOptions): Promise<UserProfile | undefined>;
  put(request: { profile: UserProfile } & IoOptions): Promise<void>;
  delete(request: { userId: string } & IoOptions): Promise<boolean>;
}
