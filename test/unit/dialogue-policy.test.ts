import { describe, expect, it } from 'vitest';
import { decide, defaultPolicyOptions } from '../../core/dialogue/dialogue-policy.js';
import { type Decision } from '../../core/model/decision.js';
import { emptyDialogueState, type DialogueState, type PendingSlot } from '../../core/model/dialogue-state.js';
import type { SlotValue, Understanding } from '../../core/model/understanding.js';
import type { IntentDefinition } from '../../core/model/skill.js';
import type { Skill } from '../../core/ports/skill.js';
import type { Preferences } from '../../core/model/profile.js';
import { SkillRegistry } from '../../core/skills/skill-registry.js';
import { WeatherSkill } from '../../core/skills/weather/weather-skill.js';
import { FixedWeatherProvider } from '../doubles/fixed-weather-provider.js';

/** A skill that only declares intents: the policy never calls handle(). */
function declaring(name: string, intents: IntentDefinition[]): Skill {
  return { name, description: name, intents, handle: async () => ({ text: 'unused' }) };
}

const trip = declaring('trips', [
  {
    name: 'trip.book',
    utterances: ['book a trip to {city}'],
    slots: [
      { name: 'city', entity: 'city', required: true, prompt: 'Where to?', fromPreferences: 'homeCity' },
      { name: 'nights', entity: 'number', required: true, prompt: 'How many nights?' },
      { name: 'note', entity: 'text' },
    ],
  },
  {
    name: 'trip.cancel',
    utterances: ['cancel my trip {title}'],
    // No prompt: the policy makes one up from the slot's name.
    slots: [{ name: 'booking', entity: 'title', required: true }],
  },
  {
    name: 'trip.list',
    utterances: ['list my trips'],
    slots: [{ name: 'city', entity: 'city', fromPreferences: 'homeCity' }],
  },
]);
const registry = new SkillRegistry([trip, declaring('greetings', [{ name: 'greet', utterances: ['hello'] }])]);

const preferences = (overrides: Partial<Preferences> = {}): Preferences => ({
  language: 'en-US',
  units: 'metric',
  timeZone: 'UTC',
  ...overrides,
});
const slot = (entity: SlotValue['entity'], value: string | number): SlotValue => ({
  entity,
  value,
  raw: String(value),
});
const understood = (
  intent: string,
  confidence: number,
  found: Partial<Pick<Understanding, 'slots' | 'entities'>> = {},
): Understanding => ({
  intent,
  confidence,
  slots: found.slots ?? {},
  entities: found.entities ?? [],
  language: 'en',
});
const waitingFor = (pending: Partial<PendingSlot> & Pick<PendingSlot, 'slot'>): DialogueState => ({
  ...emptyDialogueState(),
  pending: { intent: 'trip.book', skill: 'trips', slots: {}, attempts: 1, ...pending },
});

/** `decide` with the defaults every case shares: no pending question, no preferences, text irrelevant. */
function decideFor(
  understanding: Understanding,
  { state = emptyDialogueState(), prefs = preferences(), text = '', options = defaultPolicyOptions } = {},
): Decision {
  return decide(understanding, state, registry, prefs, text, options);
}

describe('dialogue policy: a new request', () => {
  it('runs the skill when the intent is confident and every required slot is understood', () => {
    const decision = decideFor(
      understood('trip.book', 0.9, { slots: { city: slot('city', 'Oslo'), nights: slot('number', 3) } }),
    );
    expect(decision).toEqual({
      kind: 'skill',
      skill: 'trips',
      intent: 'trip.book',
      slots: { city: 'Oslo', nights: 3 },
    });
  });

  it('treats a confidence exactly at the threshold as confident', () => {
    const decision = decideFor(understood('greet', defaultPolicyOptions.confidenceThreshold));
    expect(decision).toEqual({ kind: 'skill', skill: 'greetings', intent: 'greet', slots: {} });
  });

  it('hands a registered intent below the threshold to the language model as low-confidence', () => {
    expect(decideFor(understood('greet', 0.59))).toEqual({ kind: 'llm', reason: 'low-confidence', intent: 'greet' });
  });

  it('honours the threshold it is given', () => {
    const options = { ...defaultPolicyOptions, confidenceThreshold: 0.95 };
    expect(decideFor(understood('greet', 0.9), { options })).toMatchObject({ kind: 'llm', reason: 'low-confidence' });
  });

  it('hands an intent no skill answers to the language model as no-intent, however confident', () => {
    expect(decideFor(understood('None', 1))).toEqual({ kind: 'llm', reason: 'no-intent', intent: 'None' });
    expect(decideFor(understood('flights.status', 0.2))).toEqual({
      kind: 'llm',
      reason: 'no-intent',
      intent: 'flights.status',
    });
  });

  it('fills a slot from an entity found anywhere in the utterance, and drops what the intent does not declare', () => {
    const decision = decideFor(
      understood('trip.book', 0.9, {
        slots: { nights: slot('number', 2), colour: slot('text', 'red') },
        entities: [slot('genre', 'jazz'), slot('city', 'Lima')],
      }),
    );
    expect(decision).toEqual({
      kind: 'skill',
      skill: 'trips',
      intent: 'trip.book',
      slots: { city: 'Lima', nights: 2 },
    });
  });

  it('fills a missing required slot from the preferences before asking', () => {
    const decision = decideFor(understood('trip.book', 0.9, { slots: { nights: slot('number', 4) } }), {
      prefs: preferences({ homeCity: 'Porto' }),
    });
    expect(decision).toEqual({
      kind: 'skill',
      skill: 'trips',
      intent: 'trip.book',
      slots: { city: 'Porto', nights: 4 },
    });
  });

  it('prefers the slot the user said over the preference', () => {
    const decision = decideFor(
      understood('trip.book', 0.9, { slots: { city: slot('city', 'Rome'), nights: slot('number', 1) } }),
      {
        prefs: preferences({ homeCity: 'Porto' }),
      },
    );
    expect(decision).toMatchObject({ kind: 'skill', slots: { city: 'Rome', nights: 1 } });
  });

  it('fills an optional slot from the preferences too, and runs without it when there is none', () => {
    expect(decideFor(understood('trip.list', 0.9), { prefs: preferences({ homeCity: 'Porto' }) })).toEqual({
      kind: 'skill',
      skill: 'trips',
      intent: 'trip.list',
      slots: { city: 'Porto' },
    });
    expect(decideFor(understood('trip.list', 0.9))).toEqual({
      kind: 'skill',
      skill: 'trips',
      intent: 'trip.list',
      slots: {},
    });
  });

  it('asks for the first missing required slot with its prompt, keeping what it has, as the first attempt', () => {
    const decision = decideFor(understood('trip.book', 0.9, { slots: { nights: slot('number', 2) } }));
    expect(decision).toEqual({
      kind: 'ask',
      skill: 'trips',
      intent: 'trip.book',
      slot: 'city',
      prompt: 'Where to?',
      slots: { nights: 2 },
      attempts: 1,
    });
  });

  it('does not take an empty preference as an answer', () => {
    const decision = decideFor(understood('trip.book', 0.9, { slots: { nights: slot('number', 2) } }), {
      prefs: preferences({ homeCity: '' }),
    });
    expect(decision).toMatchObject({ kind: 'ask', slot: 'city' });
  });

  it('asks the next missing slot once the earlier one is filled from the preferences', () => {
    const decision = decideFor(understood('trip.book', 0.9), { prefs: preferences({ homeCity: 'Porto' }) });
    expect(decision).toEqual({
      kind: 'ask',
      skill: 'trips',
      intent: 'trip.book',
      slot: 'nights',
      prompt: 'How many nights?',
      slots: { city: 'Porto' },
      attempts: 1,
    });
  });

  it('makes up a question from the slot name when the skill gives no prompt', () => {
    expect(decideFor(understood('trip.cancel', 0.9))).toMatchObject({
      kind: 'ask',
      slot: 'booking',
      prompt: 'What booking?',
    });
  });

  it('reads "there" as the city the weather skill last answered for, before the home city', () => {
    // Prepare
    const weather = new SkillRegistry([new WeatherSkill(new FixedWeatherProvider())]);
    const state: DialogueState = { skills: { weather: { city: 'Lisbon' } } };
    const home = preferences({ homeCity: 'Porto' });
    // Act
    const there = decide(understood('weather.forecast', 0.9), state, weather, home, 'will it rain there tomorrow');
    const plain = decide(understood('weather.current', 0.9), state, weather, home, 'is it raining');
    const homeless = decide(understood('weather.current', 0.9), state, weather, preferences(), 'is it raining');
    // Assess
    expect(there).toMatchObject({ kind: 'skill', slots: { city: 'Lisbon' } });
    expect(plain).toMatchObject({ kind: 'skill', slots: { city: 'Porto' } });
    expect(homeless).toMatchObject({ kind: 'skill', slots: { city: 'Lisbon' } });
  });

  it('asks for the city of a real skill (weather) with its own prompt', () => {
    const weather = new SkillRegistry([new WeatherSkill(new FixedWeatherProvider())]);
    const decision = decide(
      understood('weather.current', 0.8),
      emptyDialogueState(),
      weather,
      preferences(),
      "what's the weather",
    );
    expect(decision).toEqual({
      kind: 'ask',
      skill: 'weather',
      intent: 'weather.current',
      slot: 'city',
      prompt: 'For which city?',
      slots: {},
      attempts: 1,
    });
  });
});

describe('dialogue policy: a question is pending', () => {
  it('fills the pending slot from the slot the NLU extracted, whatever intent it saw', () => {
    const state = waitingFor({ slot: 'nights', slots: { city: 'Oslo' } });
    const decision = decideFor(understood('None', 0.1, { slots: { nights: slot('number', 5) } }), {
      state,
      text: 'five',
    });
    expect(decision).toEqual({
      kind: 'skill',
      skill: 'trips',
      intent: 'trip.book',
      slots: { city: 'Oslo', nights: 5 },
    });
  });

  it('fills the pending slot from an entity of its type', () => {
    const state = waitingFor({ slot: 'nights', slots: { city: 'Oslo' } });
    const decision = decideFor(understood('None', 0.1, { entities: [slot('number', 7)] }), {
      state,
      text: 'a week, so 7',
    });
    expect(decision).toMatchObject({ kind: 'skill', slots: { city: 'Oslo', nights: 7 } });
  });

  it('takes a short free-text reply as the answer to a free-text slot, without the fillers', () => {
    const state = waitingFor({ slot: 'city', slots: { nights: 2 } });
    const decision = decideFor(understood('None', 0.2), { state, text: '  um in Buenos Aires please.' });
    expect(decision).toEqual({
      kind: 'skill',
      skill: 'trips',
      intent: 'trip.book',
      slots: { city: 'Buenos Aires', nights: 2 },
    });
  });

  it('merges other slots of the pending intent that the answer also carried', () => {
    const state = waitingFor({ slot: 'city', slots: {} });
    const decision = decideFor(understood('None', 0.2, { slots: { nights: slot('number', 3) } }), {
      state,
      text: 'Lisbon',
    });
    expect(decision).toMatchObject({ kind: 'skill', slots: { city: 'Lisbon', nights: 3 } });
  });

  it('asks the next missing slot after an answer, counting attempts afresh', () => {
    const state = waitingFor({ slot: 'city', slots: {}, attempts: 2 });
    const decision = decideFor(understood('None', 0.2), { state, text: 'Lisbon' });
    expect(decision).toEqual({
      kind: 'ask',
      skill: 'trips',
      intent: 'trip.book',
      slot: 'nights',
      prompt: 'How many nights?',
      slots: { city: 'Lisbon' },
      attempts: 1,
    });
  });

  it('asks again, one attempt more, when the reply does not answer', () => {
    const state = waitingFor({ slot: 'nights', slots: { city: 'Oslo' }, attempts: 1 });
    const decision = decideFor(understood('None', 0.3), { state, text: 'hmm, not sure' });
    expect(decision).toEqual({
      kind: 'ask',
      skill: 'trips',
      intent: 'trip.book',
      slot: 'nights',
      prompt: 'How many nights?',
      slots: { city: 'Oslo' },
      attempts: 2,
    });
  });

  it.each([
    { case: 'longer than five words', text: 'I think I would like to go to the seaside' },
    { case: 'empty once its punctuation is gone', text: ' ?! ' },
  ])('does not take a free-text reply that is $case as the answer', ({ text }) => {
    const state = waitingFor({ slot: 'city', attempts: 1 });
    expect(decideFor(understood('None', 0.3), { state, text })).toMatchObject({
      kind: 'ask',
      slot: 'city',
      attempts: 2,
    });
  });

  it('gives up asking and hands the turn to the language model after the maximum attempts', () => {
    const state = waitingFor({ slot: 'nights', attempts: defaultPolicyOptions.maxSlotAttempts });
    expect(decideFor(understood('None', 0.3), { state, text: 'no idea' })).toEqual({
      kind: 'llm',
      reason: 'gave-up-asking',
      intent: 'None',
    });
  });

  it('honours the maximum attempts it is given', () => {
    const state = waitingFor({ slot: 'nights', attempts: 2 });
    const options = { ...defaultPolicyOptions, maxSlotAttempts: 3 };
    expect(decideFor(understood('None', 0.3), { state, text: 'no idea', options })).toMatchObject({
      kind: 'ask',
      attempts: 3,
    });
  });

  it('gives up when the pending slot is no longer declared by its intent', () => {
    const state = waitingFor({ slot: 'departure', attempts: 0 });
    expect(decideFor(understood('None', 0.3), { state, text: 'Tuesday' })).toEqual({
      kind: 'llm',
      reason: 'gave-up-asking',
      intent: 'None',
    });
  });

  it('follows a confident switch to another registered intent instead of taking the reply as the answer', () => {
    const state = waitingFor({ slot: 'city', attempts: 1 });
    expect(decideFor(understood('greet', 0.9), { state, text: 'hello' })).toEqual({
      kind: 'skill',
      skill: 'greetings',
      intent: 'greet',
      slots: {},
    });
  });

  it("follows a confident new request that names a value of the pending slot's type, leaving the question", () => {
    const state = waitingFor({ slot: 'city', slots: { nights: 1 } });
    const decision = decideFor(understood('trip.list', 0.9, { slots: { city: slot('city', 'Riga') } }), {
      state,
      text: 'list my trips to Riga',
    });
    expect(decision).toEqual({ kind: 'skill', skill: 'trips', intent: 'trip.list', slots: { city: 'Riga' } });
  });

  it.each([
    { reply: 'Riga', raw: 'Riga' },
    { reply: 'in riga, please.', raw: 'riga' },
    { reply: 'um, for Riga!', raw: 'Riga' },
  ])(
    'still fills the pending slot when the reply "$reply" is only the value, whatever intent the NLU saw',
    ({ reply, raw }) => {
      const state = waitingFor({ slot: 'city', slots: { nights: 1 } });
      const value: SlotValue = { entity: 'city', value: 'Riga', raw };
      const decision = decideFor(understood('trip.list', 0.9, { slots: { city: value } }), { state, text: reply });
      expect(decision).toEqual({
        kind: 'skill',
        skill: 'trips',
        intent: 'trip.book',
        slots: { city: 'Riga', nights: 1 },
      });
    },
  );

  it('does not count a switch to an unconfident or unknown intent as a switch', () => {
    const state = waitingFor({ slot: 'city', slots: { nights: 1 } });
    expect(decideFor(understood('greet', 0.3), { state, text: 'Hello' })).toMatchObject({
      kind: 'skill',
      intent: 'trip.book',
      slots: { city: 'Hello' },
    });
    expect(decideFor(understood('flights.status', 0.99), { state, text: 'Kyiv' })).toMatchObject({
      kind: 'skill',
      slots: { city: 'Kyiv' },
    });
  });

  it('ignores a pending question whose intent is no longer registered', () => {
    const state = waitingFor({ intent: 'trip.retired', slot: 'city', attempts: 5 });
    expect(decideFor(understood('greet', 0.9), { state, text: 'hello' })).toMatchObject({
      kind: 'skill',
      intent: 'greet',
    });
    expect(decideFor(understood('None', 0.9), { state, text: 'Paris' })).toEqual({
      kind: 'llm',
      reason: 'no-intent',
      intent: 'None',
    });
  });
});
