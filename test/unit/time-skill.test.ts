import { describe, expect, it } from 'vitest';
import { cityTimeZone } from '../../adapters/local/city-time-zones.js';
import type { SkillContext } from '../../core/model/skill.js';
import { TimeSkill } from '../../core/skills/time-skill.js';

const NOON_UTC = new Date('2026-03-02T12:00:00Z');

function context(intent: string, slots: SkillContext['slots'] = {}): SkillContext {
  return {
    intent,
    slots,
    text: '',
    userId: 'u1',
    conversationId: 'c1',
    now: NOON_UTC,
    state: {},
    preferences: { language: 'en-US', units: 'metric', timeZone: 'UTC' },
  };
}

describe('TimeSkill', () => {
  it('tells the time in a named city from its time zone', async () => {
    // Prepare
    const skill = new TimeSkill(cityTimeZone);
    // Act
    const tokyo = await skill.handle(context('time.now', { city: 'Tokyo' }));
    const portland = await skill.handle(context('time.now', { city: 'Portland, Oregon' }));
    // Assess
    expect(tokyo.text).toBe("In Tokyo it's 9:00 PM.");
    expect(tokyo.data).toMatchObject({ timeZone: 'Asia/Tokyo' });
    expect(portland.data).toMatchObject({ timeZone: 'America/Los_Angeles' });
  });

  it('reads "<name> City" as the city of that name, and knows everyday short names', async () => {
    // Act
    const zones = await Promise.all(
      ['New York City', 'NYC', 'new york city, ny', 'Mexico City', 'Quebec City', 'Washington DC', 'Washington'].map(
        cityTimeZone,
      ),
    );
    // Assess
    expect(zones).toEqual([
      'America/New_York',
      'America/New_York',
      'America/New_York',
      'America/Mexico_City',
      'America/Montreal',
      'America/New_York',
      'America/New_York',
    ]);
    await expect(cityTimeZone('Atlantis City')).resolves.toBeUndefined();
  });

  it('says so when it knows no time zone for the place', async () => {
    const result = await new TimeSkill(() => Promise.resolve(undefined)).handle(context('time.now', { city: 'Xyz' }));
    expect(result.text).toBe("I don't know which time zone Xyz is in.");
  });

  it("tells the time, the date, the month and the year in the user's zone without a city", async () => {
    const skill = new TimeSkill();
    await expect(skill.handle(context('time.now'))).resolves.toMatchObject({ text: "It's 12:00 PM UTC." });
    await expect(skill.handle(context('time.date'))).resolves.toMatchObject({
      text: 'Today is Monday, March 2, 2026.',
    });
  });
});
