import { formatDate, type DatePattern } from './date-formats.js';
import type { IntentDefinition, SkillContext, SkillResult } from '../model/skill.js';
import type { Skill } from '../ports/skill.js';

const CLOCK: DatePattern = { hour: 'numeric', minute: '2-digit' };
const DAY: DatePattern = { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' };

/** Finds the IANA time zone of a place ("Tokyo", "Portland, Oregon"), or undefined when it knows none. */
export type TimeZoneLookup = (place: string) => Promise<string | undefined>;

/** The time and date in the user's time zone, or the time in a named city. */
export class TimeSkill implements Skill {
  readonly name = 'time';
  readonly description = 'the time and date';
  readonly intents: readonly IntentDefinition[] = [
    {
      name: 'time.now',
      utterances: [
        'what time is it',
        "what's the time",
        'tell me the time',
        'what is the current time',
        'do you know the time',
        'what time is it in {city}',
      ],
      slots: [{ name: 'city', entity: 'city' }],
    },
    {
      name: 'time.date',
      utterances: [
        "what's the date",
        'what is the date today',
        'what day is it',
        "what's today's date",
        'which day is today',
      ],
    },
  ];

  constructor(private readonly timeZoneOf?: TimeZoneLookup) {}

  async handle(context: SkillContext): Promise<SkillResult> {
    const locale = context.preferences.language;
    const city = context.slots.city === undefined ? undefined : String(context.slots.city);
    if (city !== undefined && context.intent === 'time.now') {
      const zone = await this.timeZoneOf?.(city);
      if (zone === undefined) return { text: `I don't know which time zone ${city} is in.` };
      const time = formatDate(locale, CLOCK, zone, context.now);
      return { text: `In ${city} it's ${time}.`, data: { iso: context.now.toISOString(), timeZone: zone, city } };
    }
    const timeZone = context.preferences.timeZone;
    if (context.intent === 'time.date') {
      const date = formatDate(locale, DAY, timeZone, context.now);
      return { text: `Today is ${date}.`, data: { iso: context.now.toISOString(), timeZone } };
    }
    const time = formatDate(locale, CLOCK, timeZone, context.now);
    return {
      text: `It's ${time}${timeZone === 'UTC' ? ' UTC' : ''}.`,
      data: { iso: context.now.toISOString(), timeZone },
    };
  }
}
