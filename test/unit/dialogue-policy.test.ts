import { describe, expect, it } from 'vitest';
import { decide, defaultPolicyOptions } from '../../core/dialogue/dialogue-policy.js';
import { emptyDialogueState } from '../../core/model/dialogue-state.js';
import { SkillRegistry } from '../../core/skills/skill-registry.js';
import { WeatherSkill } from '../../core/skills/weather/weather-skill.js';
import { FixedWeatherProvider } from '../doubles/fixed-weather-provider.js';
import type { DialogueState } from '../../core/model/dialogue-state.js';
import { preferences, slot, understood, decideFor } from './dialogue-policy-fixtures.js';

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
