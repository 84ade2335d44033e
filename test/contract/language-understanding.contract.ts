import { beforeAll, describe, expect, it } from 'vitest';
import { AbortedError } from '../../core/errors.js';
import type { LanguageUnderstanding, UnderstandRequest } from '../../core/ports/language-understanding.js';
import type { TrainingSet } from '../../core/model/understanding.js';
import { NO_INTENT } from '../../core/model/understanding.js';
import { defaultSkills } from '../../core/skills/default-skills.js';
import { SkillRegistry } from '../../core/skills/skill-registry.js';
import { ArrayMusicCatalog } from '../doubles/array-music-catalog.js';
import { FixedWeatherProvider } from '../doubles/fixed-weather-provider.js';

export interface LanguageUnderstandingContractOptions {
  /** The confidence a clear request must exceed; default 0.6, the dialogue policy's threshold. */
  confident?: number;
}

/** Held-out paraphrases (none is a training example) with the intent and slot values they must give. */
const PARAPHRASES: readonly [text: string, intent: string, slots: Record<string, string>][] = [
  ['hey, good evening', 'greeting.hello', {}],
  ['bye for now', 'greeting.goodbye', {}],
  ['thank you so much', 'greeting.thanks', {}],
  ['could you tell me what time it is', 'time.now', {}],
  ['what is the date', 'time.date', {}],
  ["what's the weather like in Paris", 'weather.current', { city: 'Paris' }],
  ['is it hot in Tokyo', 'weather.current', { city: 'Tokyo' }],
  ['will it rain in London tomorrow', 'weather.forecast', { city: 'London' }],
  ['play some jazz', 'music.play', { genre: 'jazz' }],
  ['put on some rock music', 'music.play', { genre: 'rock' }],
  ["what's playing right now", 'music.now_playing', {}],
  ['skip to the next song', 'music.next', {}],
  ['find songs by Ella Moon', 'music.search', { artist: 'Ella Moon' }],
  ['what can you do for me', 'help.capabilities', {}],
];

const OFF_TOPIC = [
  'explain quantum entanglement to a child',
  'how do I bake sourdough bread',
  'what is the capital of France',
];

/** The real skills' training data: the suite checks the adapter against what the assistant actually registers. */
async function realTrainingSet(): Promise<TrainingSet> {
  const skills = defaultSkills({
    weather: new FixedWeatherProvider(),
    music: new ArrayMusicCatalog(),
    assistantName: 'X',
  });
  return new SkillRegistry(skills).trainingSet('en');
}

/** The behaviour every LanguageUnderstanding adapter owes the core; `make` trains an adapter on the given set. */
export function describeLanguageUnderstandingContract(
  name: string,
  make: (training: TrainingSet) => Promise<LanguageUnderstanding>,
  options: LanguageUnderstandingContractOptions = {},
): void {
  const confident = options.confident ?? 0.6;

  describe(`LanguageUnderstanding contract: ${name}`, () => {
    let training: TrainingSet;
    let nlu: LanguageUnderstanding;
    const understand = (text: string, extra: Partial<UnderstandRequest> = {}) =>
      nlu.understand({ text, language: 'en', ...extra });

    beforeAll(async () => {
      training = await realTrainingSet();
      nlu = await make(training);
    });

    it('declares English and the dictionary entities it extracts', () => {
      expect(nlu.capabilities.languages).toContain('en');
      expect(nlu.capabilities.entities).toEqual(expect.arrayContaining(['city', 'genre']));
    });

    it('has a held-out paraphrase for every registered skill', () => {
      const covered = new Set(PARAPHRASES.map(([, intent]) => intent.split('.')[0]));
      const skills = new Set(training.intents.map((intent) => intent.name.split('.')[0]));
      expect([...skills].filter((skill) => !covered.has(skill))).toEqual([]);
    });

    it.each(PARAPHRASES)('recognises "%s" as %s', async (text, intent, slots) => {
      const examples = training.intents.flatMap((i) => i.utterances.map((u) => u.toLowerCase()));
      expect(examples).not.toContain(text.toLowerCase());

      const understanding = await understand(text);

      expect(understanding.intent).toBe(intent);
      expect(understanding.confidence).toBeGreaterThan(confident);
      expect(understanding.confidence).toBeLessThanOrEqual(1);
      const values = Object.fromEntries(
        Object.entries(understanding.slots).map(([slot, value]) => [slot, value.value]),
      );
      expect(values).toEqual(slots);
    });

    it('fills only the slots the intent declares, and still reports every entity it found', async () => {
      const understanding = await understand('play some jazz in Paris');

      expect(understanding.intent).toBe('music.play');
      expect(Object.keys(understanding.slots)).toEqual(['genre']);
      expect(understanding.slots.genre).toMatchObject({ entity: 'genre', value: 'jazz' });
      expect(understanding.entities).toContainEqual(expect.objectContaining({ entity: 'city', value: 'Paris' }));
    });

    it.each(OFF_TOPIC)('does not confidently claim an intent for "%s"', async (text) => {
      const understanding = await understand(text);
      const claimed = understanding.intent !== NO_INTENT && understanding.confidence >= confident;
      expect(claimed, `${understanding.intent} at ${understanding.confidence}`).toBe(false);
    });

    it('returns canonical dictionary values whatever the case of the text', async () => {
      const understanding = await understand('play some JAZZ');
      expect(understanding.slots.genre?.value).toBe('jazz');
      expect(understanding.entities).toContainEqual(expect.objectContaining({ entity: 'genre', value: 'jazz' }));
    });

    it('reads a bare answer as the entity the assistant asked for', async () => {
      const understanding = await understand('Paris', {
        expecting: { intent: 'weather.current', slot: 'city', entity: 'city' },
      });
      expect(understanding.entities).toContainEqual(expect.objectContaining({ entity: 'city', value: 'Paris' }));
    });

    it.each(['set a timer for 20 minutes', 'remind me to stretch in ten minutes', 'put on some jazz for dinner'])(
      'finds no city in "%s"',
      async (text) => {
        const understanding = await understand(text);
        expect(understanding.entities.filter((e) => e.entity === 'city')).toEqual([]);
        expect(understanding.slots.city).toBeUndefined();
      },
    );

    it('extracts durations in seconds when it declares them', async (context) => {
      if (!nlu.capabilities.entities.includes('duration')) context.skip('the NLU does not declare the duration entity');
      const understanding = await understand('set a timer for an hour and a half');
      expect(understanding.entities).toContainEqual(expect.objectContaining({ entity: 'duration', value: 5400 }));
    });

    it('answers concurrent requests independently', async () => {
      const texts = ['play some jazz', "what's the weather like in Paris", 'could you tell me what time it is'];
      const results = await Promise.all(texts.map((text) => understand(text)));
      expect(results.map((r) => r.intent)).toEqual(['music.play', 'weather.current', 'time.now']);
    });

    it('rejects with AbortedError when the signal has already fired', async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(understand('play some jazz', { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    });
  });
}
