import { decide, defaultPolicyOptions } from '../../core/dialogue/dialogue-policy.js';
import { type Decision } from '../../core/model/decision.js';
import { emptyDialogueState, type DialogueState, type PendingSlot } from '../../core/model/dialogue-state.js';
import type { SlotValue, Understanding } from '../../core/model/understanding.js';
import type { IntentDefinition } from '../../core/model/skill.js';
import type { Skill } from '../../core/ports/skill.js';
import type { Preferences } from '../../core/model/profile.js';
import { SkillRegistry } from '../../core/skills/skill-registry.js';

// The dialogue policy tests' skills, preferences and understandings: a trip skill whose intents cover every slot case.

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
export const registry = new SkillRegistry([trip, declaring('greetings', [{ name: 'greet', utterances: ['hello'] }])]);

export const preferences = (overrides: Partial<Preferences> = {}): Preferences => ({
  language: 'en-US',
  units: 'metric',
  timeZone: 'UTC',
  ...overrides,
});
export const slot = (entity: SlotValue['entity'], value: string | number): SlotValue => ({
  entity,
  value,
  raw: String(value),
});
export const understood = (
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
export const waitingFor = (pending: Partial<PendingSlot> & Pick<PendingSlot, 'slot'>): DialogueState => ({
  ...emptyDialogueState(),
  pending: { intent: 'trip.book', skill: 'trips', slots: {}, attempts: 1, ...pending },
});

/** `decide` with the defaults every case shares: no pending question, no preferences, text irrelevant. */
export function decideFor(
  understanding: Understanding,
  { state = emptyDialogueState(), prefs = preferences(), text = '', options = defaultPolicyOptions } = {},
): Decision {
  return decide(understanding, state, registry, prefs, text, options);
}
