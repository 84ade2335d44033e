import type { IntentDefinition, SkillContext, SkillResult } from '../model/skill.js';
import type { IoOptions } from '../model/io.js';
import type { EntityType } from '../model/understanding.js';

/** A capability of the assistant: declares what it understands and answers it. */
export interface Skill {
  readonly name: string;
  readonly description: string;
  readonly intents: readonly IntentDefinition[];
  /** Entity values this skill contributes to NLU training (e.g. genres from the catalog). */
  entityValues?(options?: IoOptions): Promise<Partial<Record<EntityType, readonly string[]>>>;
  handle(context: SkillContext): Promise<SkillResult>;
}
