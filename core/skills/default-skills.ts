import type { MusicCatalog } from '../ports/music-catalog.js';
import type { Skill } from '../ports/skill.js';
import type { WeatherProvider } from '../ports/weather-provider.js';
import { HelpSkill } from './help-skill.js';
import { MusicSkill } from './music/music-skill.js';
import { SmallTalkSkill } from './small-talk-skill.js';
import { TimeSkill, type TimeZoneLookup } from './time-skill.js';
import { WeatherSkill } from './weather/weather-skill.js';

export interface SkillServices {
  weather: WeatherProvider;
  music: MusicCatalog;
  assistantName: string;
  /** The time zone of a named city, for "what time is it in Tokyo". */
  timeZoneOf?: TimeZoneLookup;
}

/** The skill registration list: adding a skill means adding it here and nowhere else. */
export function defaultSkills(services: SkillServices): Skill[] {
  const skills: Skill[] = [
    new SmallTalkSkill(services.assistantName),
    new WeatherSkill(services.weather),
    new MusicSkill(services.music),
    new TimeSkill(services.timeZoneOf),
  ];
  skills.push(new HelpSkill(() => skills));
  return skills;
}
