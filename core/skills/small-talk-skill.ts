import { formatDate, type DatePattern } from './date-formats.js';
import type { IntentDefinition, SkillContext, SkillResult } from '../model/skill.js';
import type { Skill } from '../ports/skill.js';

/** The hour of the day, 0–23, for the greeting. */
const HOUR: DatePattern = { hour: 'numeric', hourCycle: 'h23' };

/** Greetings, thanks and goodbye. */
export class SmallTalkSkill implements Skill {
  readonly name = 'small-talk';
  readonly description = 'greetings and goodbyes';
  readonly intents: readonly IntentDefinition[] = [
    {
      name: 'greeting.hello',
      utterances: ['hello', 'hi', 'hey there', 'good morning', 'good evening', 'hi assistant', 'hello there'],
    },
    {
      name: 'greeting.goodbye',
      utterances: ['goodbye', 'bye', 'see you later', 'good night', "that's all", 'bye bye', 'talk to you later'],
    },
    { name: 'greeting.thanks', utterances: ['thanks', 'thank you', 'thanks a lot', 'cheers', 'much appreciated'] },
  ];

  constructor(private readonly assistantName = 'your assistant') {}

  async handle(context: SkillContext): Promise<SkillResult> {
    if (context.intent === 'greeting.goodbye') return { text: 'Goodbye! Talk to you soon.', endConversation: true };
    if (context.intent === 'greeting.thanks') return { text: "You're welcome." };
    const hour = Number(formatDate('en-US', HOUR, context.preferences.timeZone, context.now));
    const part = hour < 12 ? 'Good morning' : hour < 18 ? 'Good afternoon' : 'Good evening';
    return { text: `${part}! I'm ${this.assistantName}. How can I help?` };
  }
}
