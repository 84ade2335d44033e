import { ValidationError } from '../errors.js';
import type { IoOptions } from '../model/io.js';
import type { Preferences } from '../model/profile.js';
import type { UserProfileStore } from '../ports/user-profile-store.js';

export type PreferencesReader = (userId: string, options?: IoOptions) => Promise<Preferences>;

/** Reads a user's preferences, falling back to the deployment's defaults for anything unset. */
export function createPreferencesReader(profiles: UserProfileStore, defaults: Preferences): PreferencesReader {
  return async (userId, options = {}) => {
    const profile = await profiles.get({ userId, signal: options.signal });
    return Object.assign({}, defaults, profile?.preferences);
  };
}

/** Checks values the schema cannot: a real IANA time zone and a BCP 47 language tag. */
export function validatePreferences(preferences: Partial<Preferences>): void {
  if (preferences.timeZone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: preferences.timeZone });
    } catch {
      throw new ValidationError(`timeZone "${preferences.timeZone}" is not an IANA time zone`, {
        details: { field: 'timeZone' },
      });
    }
  }
  if (preferences.language !== undefined) {
    try {
      Intl.getCanonicalLocales(preferences.language);
    } catch {
      throw new ValidationError(`language "${preferences.language}" is not a BCP 47 language tag`, {
        details: { field: 'language' },
      });
    }
  }
}
