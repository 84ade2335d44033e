import { describe, expect, it } from 'vitest';
import { defaultPolicyOptions } from '../../core/dialogue/dialogue-policy.js';
import type { SlotValue } from '../../core/model/understanding.js';
import { slot, understood, waitingFor, decideFor } from './dialogue-policy-fixtures.js';

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
