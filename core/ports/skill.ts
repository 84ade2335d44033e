import type { IntentDefinition, SkillContext, SkillResult } from '../model/skill.js';
import type { IoOptions } from '../model/io.js';
import type { EntityType } from '../model/understanding.js';

/** A capability of the assistant: declares what it understands and answers it. */
export interface Skill {
  readonly name: string;
  readonly description: string;
  readonly intents: readonly IntentDefinition[];
  /**
   * True when `handle` acts on the world beyond the state it returns (sends, buys, switches). Such a skill runs once
   * per stored turn: when another writer moved the conversation meanwhile, its reply is re-applied, not re-run.
   */
  readonly sideEffects?: boolean;
  /** Entity values this skill contributes to NLU training (e.g. genres from the catalog). */
  entityValues?(options?: IoOptions): Promise<Partial<Record<EntityType, readonly string[]>>>;
  handle(context: SkillContext): Promise<SkillResult>;
}
