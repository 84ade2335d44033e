import type { TrainingSet } from '../model/understanding.js';
import type { EntityType } from '../model/understanding.js';
import type { IntentDefinition } from '../model/skill.js';
import type { Skill } from '../ports/skill.js';
import { ValidationError } from '../errors.js';

export interface IntentBinding {
  skill: Skill;
  intent: IntentDefinition;
}

/** The registered skills, indexed by intent; the single source the NLU (local or Lex) is trained from. */
export class SkillRegistry {
  private readonly byIntent = new Map<string, IntentBinding>();
  private phraseList: readonly string[] | undefined;

  constructor(readonly skills: readonly Skill[]) {
    const names = new Set<string>();
    for (const skill of skills) {
      if (names.has(skill.name)) throw new ValidationError(`skill "${skill.name}" is registered twice`);
      names.add(skill.name);
      for (const intent of skill.intents) {
        const taken = this.byIntent.get(intent.name);
        if (taken) {
          throw new ValidationError(
            `intent "${intent.name}" is declared by both "${taken.skill.name}" and "${skill.name}"`,
          );
        }
        this.byIntent.set(intent.name, { skill, intent });
      }
    }
  }

  /** The skill and declaration that answer `intent`, if any. */
  resolve(intent: string): IntentBinding | undefined {
    return this.byIntent.get(intent);
  }

  /** Builds the NLU training data from every skill's intents and entity dictionaries. */
  async trainingSet(language: string): Promise<TrainingSet> {
    const entities: Partial<Record<EntityType, string[]>> = {};
    for (const skill of this.skills) {
      const values = (await skill.entityValues?.()) ?? {};
      for (const [type, list] of Object.entries(values) as [EntityType, readonly string[]][]) {
        const merged = new Set([...(entities[type] ?? []), ...list]);
        entities[type] = [...merged].sort();
      }
    }
    return {
      language,
      intents: this.skills.flatMap((skill) =>
        skill.intents.map((intent) => ({
          name: intent.name,
          utterances: intent.utterances,
          slots: (intent.slots ?? []).map(({ name, entity }) => ({ name, entity })),
        })),
      ),
      entities,
    };
  }

  /** Example phrases, for speech-recognition hints and grammars (computed once: skills do not change after start). */
  phrases(): readonly string[] {
    this.phraseList ??= Object.freeze(
      this.skills.flatMap((skill) => skill.intents.flatMap((intent) => intent.utterances)),
    );
    return this.phraseList;
  }
}
