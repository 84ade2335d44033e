import type { IoOptions } from '../model/io.js';
import type { EntityType, Understanding } from '../model/understanding.js';

export interface UnderstandRequest extends IoOptions {
  text: string;
  language: string;
  conversationId?: string;
  /** The slot the assistant just asked for, so the NLU can favour that entity. */
  expecting?: { intent: string; slot: string; entity: EntityType };
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
