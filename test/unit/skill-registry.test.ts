import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../core/errors.js';
import type { EntityType } from '../../core/model/understanding.js';
import type { IntentDefinition } from '../../core/model/skill.js';
import type { Skill } from '../../core/ports/skill.js';
import { MusicSkill } from '../../core/skills/music/music-skill.js';
import { SkillRegistry } from '../../core/skills/skill-registry.js';
import { ArrayMusicCatalog } from '../doubles/array-music-catalog.js';
import { COMMON_GENRES } from '../../core/skills/music/genres.js';

function skill(
  name: string,
  intents: IntentDefinition[],
  entityValues?: Partial<Record<EntityType, readonly string[]>>,
): Skill {
  return {
    name,
    description: `the ${name} skill`,
    intents,
    ...(entityValues && { entityValues: async () => entityValues }),
    handle: async () => ({ text: name }),
  };
}

const travel = skill(
  'travel',
  [
    {
      name: 'travel.book',
      utterances: ['book a trip to {city}', 'fly to {city}'],
      slots: [{ name: 'city', entity: 'city', required: true, prompt: 'Where to?', fromPreferences: 'homeCity' }],
    },
    { name: 'travel.list', utterances: ['list my trips'] },
  ],
  { city: ['Rome', 'Oslo'], text: ['anything'] },
);
const places = skill('places', [{ name: 'places.find', utterances: ['find {city}'] }], { city: ['Oslo', 'Lima'] });
const greetings = skill('greetings', [{ name: 'greet', utterances: ['hello', 'hi'] }]);

describe('SkillRegistry', () => {
  it('resolves each intent to the skill that declares it, with the declaration', () => {
    const registry = new SkillRegistry([travel, greetings]);
    expect(registry.resolve('travel.list')).toEqual({ skill: travel, intent: travel.intents[1] });
    expect(registry.resolve('greet')?.skill).toBe(greetings);
    expect(registry.skills).toEqual([travel, greetings]);
  });

  it('resolves nothing for an intent no skill declares', () => {
    const registry = new SkillRegistry([travel]);
    expect(registry.resolve('None')).toBeUndefined();
    expect(registry.resolve('')).toBeUndefined();
    expect(registry.resolve('toString')).toBeUndefined();
  });

  it('refuses the same skill name twice', () => {
    expect(() => new SkillRegistry([greetings, skill('greetings', [{ name: 'wave', utterances: ['wave'] }])])).toThrow(
      new ValidationError('skill "greetings" is registered twice'),
    );
  });

  it('refuses an intent declared by two skills, naming both', () => {
    const rival = skill('rival', [{ name: 'greet', utterances: ['hey'] }]);
    const attempt = () => new SkillRegistry([greetings, rival]);
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow('intent "greet" is declared by both "greetings" and "rival"');
  });

  it('builds the training set from every intent, keeping only the name and entity of each slot', async () => {
    const set = await new SkillRegistry([travel, greetings]).trainingSet('en');
    expect(set.language).toBe('en');
    expect(set.intents).toEqual([
      {
        name: 'travel.book',
        utterances: ['book a trip to {city}', 'fly to {city}'],
        slots: [{ name: 'city', entity: 'city' }],
      },
      { name: 'travel.list', utterances: ['list my trips'], slots: [] },
      { name: 'greet', utterances: ['hello', 'hi'], slots: [] },
    ]);
  });

  it('merges the entity values of every skill, without duplicates and sorted', async () => {
    const set = await new SkillRegistry([travel, greetings, places]).trainingSet('en');
    expect(set.entities).toEqual({ city: ['Lima', 'Oslo', 'Rome'], text: ['anything'] });
  });

  it('trains from a real skill whose values come from its catalog', async () => {
    const set = await new SkillRegistry([new MusicSkill(new ArrayMusicCatalog())]).trainingSet('de');
    expect(set.entities).toEqual({
      genre: [...new Set(['jazz', 'rock', ...COMMON_GENRES])].sort(),
      artist: ['Ella Moon', 'The Rivets'],
      title: ['Blue Night', 'Loud Road', 'Slow Swing'],
    });
    expect(set.intents.map((intent) => intent.name)).toContain('music.play');
    expect(set.language).toBe('de');
  });

  it('has an empty training set and no phrases without skills', async () => {
    const registry = new SkillRegistry([]);
    await expect(registry.trainingSet('en')).resolves.toEqual({ language: 'en', intents: [], entities: {} });
    expect(registry.phrases()).toEqual([]);
  });

  it('lists every example utterance as a phrase, computed once and frozen', () => {
    const registry = new SkillRegistry([travel, greetings]);
    const phrases = registry.phrases();
    expect(phrases).toEqual(['book a trip to {city}', 'fly to {city}', 'list my trips', 'hello', 'hi']);
    expect(registry.phrases()).toBe(phrases);
    expect(Object.isFrozen(phrases)).toBe(true);
  });
});
