export type Units = 'metric' | 'imperial';

export interface Preferences {
  voice?: string;
  language: string;
  units: Units;
  timeZone: string;
  homeCity?: string;
}

export interface UserProfile {
  userId: string;
  preferences: Preferences;
  updatedAt: string;
}
