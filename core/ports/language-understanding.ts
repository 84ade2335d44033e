import type { EntityType } from './skill.js';

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

export interface UnderstandRequest {
  text: string;
  language: string;
  conversationId?: string;
  /** The slot the assistant just asked for, so the NLU can favour that entity. */
  expecting?: { intent: string; slot: string; entity: EntityType };
  signal?: AbortSignal;
}

export interface LanguageUnderstandingCapabilities {
  /** Entity types the adapter can extract. */
  entities: readonly EntityType[];
  languages: readonly string[];
}

export interface LanguageUnderstanding {
  readonly capabilities: LanguageUnderstandingCapabilities;
  understand(request: UnderstandRequest): Promise<Understanding>;
}

export const NO_INTENT = 'None';
