import type { IntentDefinition, SkillContext, SkillResult } from '../model/skill.js';
import type { Skill } from '../ports/skill.js';

/** Describes what the assistant can do, generated from the registered skills. */
export class HelpSkill implements Skill {
  readonly name = 'help';
  readonly description = 'explaining what I can do';
  readonly intents: readonly IntentDefinition[] = [
    {
      name: 'help.capabilities',
      utterances: [
        'help',
        'what can you do',
        'what are your skills',
        'how can you help me',
        'what can I ask you',
        'what do you know',
      ],
    },
  ];

  /** `skills` is read at answer time so the list covers every skill registered, including this one. */
  constructor(private readonly skills: () => readonly Skill[]) {}

  async handle(_context: SkillContext): Promise<SkillResult> {
    const others = this.skills().filter((skill) => skill.name !== this.name);
    const lines = others.map((skill) => {
      const example =
        skill.intents[0]?.utterances.find((u) => !u.includes('{')) ?? skill.intents[0]?.utterances[0] ?? '';
      return `${skill.description} (try "${example}")`;
    });
    return { text: `I can help with ${lines.join('; ')}.`, data: { skills: others.map((skill) => skill.name) } };
  }
}
