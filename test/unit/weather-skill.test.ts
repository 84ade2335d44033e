import { describe, expect, it } from 'vitest';
import type { SkillContext } from '../../core/model/skill.js';
import type { WeatherLookup } from '../../core/model/weather.js';
import { WeatherSkill } from '../../core/skills/weather/weather-skill.js';
import { FixedWeatherProvider } from '../doubles/fixed-weather-provider.js';

function context(city: string): SkillContext {
  return {
    intent: 'weather.current',
    slots: { city },
    text: '',
    userId: 'u1',
    conversationId: 'c1',
    now: new Date('2026-01-01T12:00:00Z'),
    state: {},
    preferences: { language: 'en-US', units: 'metric', timeZone: 'UTC' },
  };
}

describe('WeatherSkill', () => {
  it('remembers the city it answered for, so a later "there" means the same place', async () => {
    const result = await new WeatherSkill(new FixedWeatherProvider()).handle(context('Lisbon'));
    expect(result.text).toMatch(/^In Lisbon it's 18 degrees Celsius/);
    expect(result.state).toEqual({ city: 'Lisbon' });
  });

  it('names the region and country of the place it found when the request was qualified or named it otherwise', async () => {
    // Prepare
    const provider = new FixedWeatherProvider();
    const inner = provider.lookup.bind(provider);
    provider.lookup = async (request) => {
      const found = (await inner(request)) as Extract<WeatherLookup, { kind: 'found' }>;
      const location = { ...found.report.location, name: 'Portland', region: 'Oregon', country: 'United States' };
      return { kind: 'found', report: { ...found.report, location } };
    };
    // Act
    const result = await new WeatherSkill(provider).handle(context('Portland, Oregon'));
    // Assess
    expect(result.text).toMatch(/^In Portland, Oregon, United States it's 18 degrees Celsius/);
  });
});
