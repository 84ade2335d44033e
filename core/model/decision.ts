export type Slots = Record<string, string | number>;

/** What the assistant does with a turn. Expected outcomes are values, never exceptions. */
export type Decision =
  /** `sideEffects`: the skill acts on the world, so after a version conflict its reply is re-applied, not re-run. */
  | { kind: 'skill'; skill: string; intent: string; slots: Slots; sideEffects?: true }
  | { kind: 'ask'; skill: string; intent: string; slot: string; prompt: string; slots: Slots; attempts: number }
  | { kind: 'llm'; reason: 'no-intent' | 'low-confidence' | 'gave-up-asking'; intent: string };
