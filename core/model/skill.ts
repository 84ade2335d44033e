import type { Preferences } from './profile.js';
import type { EntityType } from './understanding.js';

export interface SlotDefinition {
  name: string;
  entity: EntityType;
  required?: boolean;
  /** The question asked when a required slot is missing. */
  prompt?: string;
  /** A value from the user's preferences to use before asking (e.g. the home city). */
  fromPreferences?: keyof Preferences;
  /**
   * Reuse the value this skill last acted on (kept in its state under the slot's name): first when the request points
   * back ("is it raining there"), otherwise after the preferences and before asking.
   */
  remembered?: boolean;
}

export interface IntentDefinition {
  name: string;
  /** Example utterances; `{slot}` marks where a slot value appears. */
  utterances: readonly string[];
  slots?: readonly SlotDefinition[];
}

export interface SkillContext {
  intent: string;
  slots: Readonly<Record<string, string | number>>;
  text: string;
  userId: string;
  conversationId: string;
  preferences: Preferences;
  now: Date;
  /** This skill's own state from earlier turns of the conversation. */
  state: Readonly<Record<string, unknown>>;
  signal?: AbortSignal;
}

export interface SkillResult {
  text: string;
  /** Replaces this skill's state in the conversation when present. */
  state?: Record<string, unknown>;
  /** Structured data for clients (e.g. `{ track }` with its stream URL). */
  data?: Record<string, unknown>;
  endConversation?: boolean;
}
