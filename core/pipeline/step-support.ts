import { ValidationError } from '../errors.js';
import type { Conversation } from '../model/conversation.js';
import type { Preferences } from '../model/profile.js';
import type { TurnRecord } from '../model/turn.js';

/** The `signal` option for a port call, present only when the caller gave one. */
export function signalOption(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal ? { signal } : {};
}

/** What a step needs from an earlier one; a record missing it was run out of order (a runner's bug). */
export function required<K extends keyof TurnRecord>(
  turn: TurnRecord,
  key: K,
  step: string,
): NonNullable<TurnRecord[K]> {
  const value = turn[key];
  if (value === undefined || value === null) {
    throw new ValidationError(`turn ${turn.id}: step "${step}" needs "${String(key)}" from an earlier step`);
  }
  return value;
}

export function loaded(turn: TurnRecord, step: string): { conversation: Conversation; preferences: Preferences } {
  return { conversation: required(turn, 'conversation', step), preferences: required(turn, 'preferences', step) };
}
