export type EntityType = 'city' | 'genre' | 'artist' | 'title' | 'duration' | 'number' | 'text';

/** One slot value the NLU extracted; `raw` is the text span, `value` the normalised form (e.g. seconds). */
export interface SlotValue {
  value: string | number;
  raw: string;
  entity: EntityType;
}

export interface Understanding {
  intent: string;
  confidence: number;
  slots: Record<string, SlotValue>;
  /** Entities found anywhere in the utterance, whether or not the intent declares them as slots. */
  entities: SlotValue[];
  language: string;
}

/** What the NLU is trained from: intents with examples and the dictionaries of known entity values. */
export interface TrainingSet {
  language: string;
  intents: ReadonlyArray<{
    name: string;
    utterances: readonly string[];
    slots: ReadonlyArray<{ name: string; entity: EntityType }>;
  }>;
  entities: Partial<Record<EntityType, readonly string[]>>;
}

/** The intent name of an utterance no skill declares. */
export const NO_INTENT = 'None';
