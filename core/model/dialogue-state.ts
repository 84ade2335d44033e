/** A question the assistant asked and is waiting on: the intent stays open until the slot is filled. */
export interface PendingSlot {
  intent: string;
  skill: string;
  slot: string;
  slots: Record<string, string | number>;
  attempts: number;
}

/** Everything the dialogue needs to remember between turns; stored with the conversation header. */
export interface DialogueState {
  pending?: PendingSlot;
  lastIntent?: string;
  /** Per-skill state, keyed by skill name (e.g. the music queue). Values must be JSON-serialisable. */
  skills: Record<string, Record<string, unknown>>;
}

export function emptyDialogueState(): DialogueState {
  return { skills: {} };
}
