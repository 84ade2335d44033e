import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  FALLBACK_INTENT,
  lexBotDefinition,
  lexIntentName,
  type LexBotDefinition,
} from '../../../../adapters/aws/lex/lex-bot-definition.js';
import { ValidationError } from '../../../../core/errors.js';
import type { TrainingSet } from '../../../../core/model/understanding.js';
import { KNOWN_CITIES } from '../../../../core/skills/weather/known-cities.js';
import { BOT_LOCALE_FILE, generateBotLocale } from '../../../../deploy/lex/generate-bot.js';

const OPTIONS = { botName: 'Test', localeId: 'en_US', confidenceThreshold: 0.4 };
const LEX_NAME = /^(?:[0-9a-zA-Z][_-]?){1,100}$/;

const TRAINING: TrainingSet = {
  language: 'en',
  intents: [
    {
      name: 'weather.current',
      utterances: ['weather in {city}', 'Weather in {city}', 'how warm is it'],
      slots: [{ name: 'city', entity: 'city' }],
    },
    {
      name: 'timer.set',
      utterances: ['set a timer for {length}', 'set {count} timers'],
      slots: [
        { name: 'length', entity: 'duration' },
        { name: 'count', entity: 'number' },
      ],
    },
    { name: 'notes.take', utterances: ['take a note'], slots: [{ name: 'body', entity: 'text' }] },
    { name: 'music.now_playing', utterances: ["what's playing"], slots: [] },
  ],
  entities: { city: ['Paris', 'Oslo'], genre: ['jazz'] },
};

const withIntents = (intents: TrainingSet['intents'], entities: TrainingSet['entities'] = {}): TrainingSet => ({
  language: 'en',
  intents,
  entities,
});

describe('lexBotDefinition', () => {
  const definition = lexBotDefinition(TRAINING, OPTIONS);
  const intent = (name: string) => definition.botLocale.Intents.find((i) => i.Name === name);

  it('names intents the way Lex allows and maps every Lex name back to the assistant’s', () => {
    expect(definition.botLocale.Intents.map((i) => i.Name)).toEqual([
      'weather_current',
      'timer_set',
      'notes_take',
      'music_now_playing',
      FALLBACK_INTENT,
    ]);
    expect(definition.botLocale.Intents.every((i) => LEX_NAME.test(i.Name))).toBe(true);
    expect(definition.intentMap).toEqual({
      weather_current: 'weather.current',
      timer_set: 'timer.set',
      notes_take: 'notes.take',
      music_now_playing: 'music.now_playing',
    });
  });

  it('adds the FallbackIntent Lex requires, built on AMAZON.FallbackIntent', () => {
    expect(intent(FALLBACK_INTENT)).toMatchObject({ ParentIntentSignature: 'AMAZON.FallbackIntent' });
    expect(intent(FALLBACK_INTENT)?.SampleUtterances).toBeUndefined();
  });

  it('keeps {slot} placeholders in sample utterances and drops repeats that differ only in case', () => {
    expect(intent('weather_current')?.SampleUtterances).toEqual([
      { Utterance: 'weather in {city}' },
      { Utterance: 'how warm is it' },
    ]);
    expect(intent('timer_set')?.SampleUtterances).toEqual([
      { Utterance: 'set a timer for {length}' },
      { Utterance: 'set {count} timers' },
    ]);
  });

  it('gives each slot its type: custom types for dictionaries, Lex built-ins for durations, numbers and free text', () => {
    const types = Object.fromEntries(
      definition.botLocale.Intents.flatMap((i) => (i.Slots ?? []).map((s) => [`${i.Name}.${s.Name}`, s.SlotTypeName])),
    );
    expect(types).toEqual({
      'weather_current.city': 'City',
      'timer_set.length': 'AMAZON.Duration',
      'timer_set.count': 'AMAZON.Number',
      'notes_take.body': 'AMAZON.FreeFormInput',
    });
    expect(definition.slots).toEqual({
      'weather.current': { city: 'city' },
      'timer.set': { length: 'duration', count: 'number' },
      'notes.take': { body: 'text' },
      'music.now_playing': {},
    });
  });

  it('leaves every slot optional, with a prompt and priorities, so Lex never elicits on its own', () => {
    const slots = definition.botLocale.Intents.flatMap((i) => i.Slots ?? []);
    expect(slots.every((s) => s.ValueElicitationSetting.SlotConstraint === 'Optional')).toBe(true);
    for (const slot of slots) {
      const prompt = slot.ValueElicitationSetting.PromptSpecification;
      expect(prompt.MaxRetries).toBeGreaterThanOrEqual(0);
      expect(prompt.MaxRetries).toBeLessThanOrEqual(5);
      expect(prompt.MessageGroupsList.length).toBeGreaterThanOrEqual(1);
    }
    expect(intent('timer_set')?.SlotPriorities).toEqual([
      { Priority: 1, SlotName: 'length' },
      { Priority: 2, SlotName: 'count' },
    ]);
    expect(intent('music_now_playing')?.Slots).toBeUndefined();
  });

  it('defines only the custom slot types some slot uses: cities keep what was said, catalog values resolve', () => {
    expect(definition.botLocale.SlotTypes).toEqual([
      {
        Name: 'City',
        Description: expect.any(String),
        SlotTypeValues: [{ SampleValue: { Value: 'Paris' } }, { SampleValue: { Value: 'Oslo' } }],
        ValueSelectionSetting: { ResolutionStrategy: 'ORIGINAL_VALUE' },
      },
    ]);
    const music = lexBotDefinition(
      withIntents([{ name: 'music.play', utterances: ['play {genre}'], slots: [{ name: 'genre', entity: 'genre' }] }], {
        genre: ['rock', 'jazz', 'rock'],
      }),
      OPTIONS,
    );
    expect(music.botLocale.SlotTypes).toEqual([
      expect.objectContaining({
        Name: 'Genre',
        SlotTypeValues: [{ SampleValue: { Value: 'rock' } }, { SampleValue: { Value: 'jazz' } }],
        ValueSelectionSetting: { ResolutionStrategy: 'TOP_RESOLUTION' },
      }),
    ]);
  });

  it('carries the locale and the confidence threshold', () => {
    expect(definition.botLocale).toMatchObject({ LocaleId: 'en_US', NluConfidenceThreshold: 0.4 });
    expect(definition.botName).toBe('Test');
  });

  it.each<[string, TrainingSet]>([
    [
      'two intents with one Lex name',
      withIntents([
        { name: 'a.b', utterances: ['x'], slots: [] },
        { name: 'a_b', utterances: ['y'], slots: [] },
      ]),
    ],
    ['an intent named like the fallback', withIntents([{ name: 'FallbackIntent', utterances: ['x'], slots: [] }])],
    ['an intent name with no letters or digits', withIntents([{ name: '..', utterances: ['x'], slots: [] }])],
    [
      'a slot name Lex refuses',
      withIntents([{ name: 'a.b', utterances: ['x'], slots: [{ name: 'my slot', entity: 'number' }] }]),
    ],
    [
      'an utterance naming an undeclared slot',
      withIntents([{ name: 'a.b', utterances: ['go to {place}'], slots: [] }]),
    ],
    [
      'a free-text slot inside an utterance',
      withIntents([{ name: 'a.b', utterances: ['note {body}'], slots: [{ name: 'body', entity: 'text' }] }]),
    ],
    [
      'a dictionary slot with no values',
      withIntents([{ name: 'a.b', utterances: ['play {genre}'], slots: [{ name: 'genre', entity: 'genre' }] }]),
    ],
  ])('refuses %s with ValidationError', (_case, training) => {
    expect(() => lexBotDefinition(training, OPTIONS)).toThrow(ValidationError);
  });

  it.each([-0.1, 1.5, Number.NaN])('refuses the confidence threshold %d', (confidenceThreshold) => {
    expect(() => lexBotDefinition(TRAINING, { ...OPTIONS, confidenceThreshold })).toThrow(ValidationError);
  });

  it.each([
    ['weather.current', 'weather_current'],
    ['music.now_playing', 'music_now_playing'],
    ['a..b--c', 'a_b_c'],
    ['.help.', 'help'],
  ])('names %s as %s in Lex', (name, lex) => {
    expect(lexIntentName(name)).toBe(lex);
  });
});

describe('the committed bot locale (deploy/lex/bot-locale.en_US.json)', () => {
  it('equals a fresh generation from the registered skills; run `npx tsx deploy/lex/generate-bot.ts` when it does not', async () => {
    const committed = await readFile(BOT_LOCALE_FILE, 'utf8');
    expect(committed).toBe(await generateBotLocale());
  });

  it('covers every registered intent, the known cities and the sample catalog, and gives no example to two intents', async () => {
    const definition = JSON.parse(await generateBotLocale()) as LexBotDefinition;
    const intents = definition.botLocale.Intents.filter((i) => i.Name !== FALLBACK_INTENT);

    expect(Object.values(definition.intentMap)).toEqual(
      expect.arrayContaining(['weather.current', 'music.play', 'time.now', 'help.capabilities']),
    );
    expect(intents).toHaveLength(Object.keys(definition.intentMap).length);
    const city = definition.botLocale.SlotTypes.find((t) => t.Name === 'City');
    expect(city?.SlotTypeValues.map((v) => v.SampleValue.Value)).toEqual([...KNOWN_CITIES].sort());
    expect(definition.botLocale.SlotTypes.map((t) => t.Name)).toEqual(['City', 'Genre', 'Artist', 'Title']);
    const owners = new Map<string, string[]>();
    for (const i of intents)
      for (const u of i.SampleUtterances ?? [])
        owners.set(u.Utterance.toLowerCase(), [...(owners.get(u.Utterance.toLowerCase()) ?? []), i.Name]);
    expect([...owners].filter(([, names]) => names.length > 1)).toEqual([]);
  });
});
