import type { Decision, Slots } from '../model/decision.js';
import type { Understanding } from '../model/understanding.js';
import type { SlotDefinition } from '../model/skill.js';
import type { Preferences } from '../model/profile.js';
import type { SkillRegistry } from '../skills/skill-registry.js';
import type { DialogueState } from '../model/dialogue-state.js';

export interface PolicyOptions {
  confidenceThreshold: number;
  /** How many times a missing slot is asked for before the question is dropped. */
  maxSlotAttempts: number;
}

export const defaultPolicyOptions: PolicyOptions = { confidenceThreshold: 0.6, maxSlotAttempts: 2 };

/** Decides between a skill, a follow-up question for a missing slot, and the language model. */
export function decide(
  understanding: Understanding,
  state: DialogueState,
  registry: SkillRegistry,
  preferences: Preferences,
  text: string,
  options: PolicyOptions = defaultPolicyOptions,
): Decision {
  const confident = understanding.confidence >= options.confidenceThreshold;
  const pending = state.pending;
  const pendingBinding = pending && registry.resolve(pending.intent);
  if (pending && pendingBinding) {
    const definition = pendingBinding.intent.slots?.find((slot) => slot.name === pending.slot);
    const switchedIntent =
      confident && understanding.intent !== pending.intent && registry.resolve(understanding.intent);
    const value = definition && slotAnswer(definition, understanding, text, Boolean(switchedIntent));
    if (definition && value !== undefined) {
      const slots = {
        ...pending.slots,
        ...understoodSlots(understanding, pending.intent, registry),
        [pending.slot]: value,
      };
      return fillOrAsk(pendingBinding.skill.name, pending.intent, slots, registry, preferences, 0, { state, text });
    }
    if (!switchedIntent) {
      if (pending.attempts < options.maxSlotAttempts && definition) {
        return ask(pendingBinding.skill.name, pending.intent, definition, pending.slots, pending.attempts);
      }
      return { kind: 'llm', reason: 'gave-up-asking', intent: understanding.intent };
    }
  }
  const binding = registry.resolve(understanding.intent);
  if (!binding) return { kind: 'llm', reason: 'no-intent', intent: understanding.intent };
  if (!confident) return { kind: 'llm', reason: 'low-confidence', intent: understanding.intent };
  return fillOrAsk(
    binding.skill.name,
    understanding.intent,
    understoodSlots(understanding, understanding.intent, registry),
    registry,
    preferences,
    0,
    { state, text },
  );
}

function fillOrAsk(
  skill: string,
  intent: string,
  slots: Slots,
  registry: SkillRegistry,
  preferences: Preferences,
  attempts: number,
  conversation?: { state: DialogueState; text: string },
): Decision {
  const definitions = registry.resolve(intent)?.intent.slots ?? [];
  const filled: Slots = { ...slots };
  for (const definition of definitions) {
    if (filled[definition.name] !== undefined) continue;
    const kept = definition.remembered ? conversation?.state.skills[skill]?.[definition.name] : undefined;
    const remembered = typeof kept === 'string' && kept.length > 0 ? kept : undefined;
    const preferred = definition.fromPreferences ? preferences[definition.fromPreferences] : undefined;
    if (remembered !== undefined && POINTS_BACK.test(conversation?.text ?? '')) {
      filled[definition.name] = remembered;
    } else if (typeof preferred === 'string' && preferred.length > 0) {
      filled[definition.name] = preferred;
    } else if (remembered !== undefined) {
      filled[definition.name] = remembered;
    } else if (definition.required) {
      return ask(skill, intent, definition, filled, attempts);
    }
  }
  const sideEffects = registry.resolve(intent)?.skill.sideEffects === true;
  return { kind: 'skill', skill, intent, slots: filled, ...(sideEffects && { sideEffects }) };
}

function ask(skill: string, intent: string, definition: SlotDefinition, slots: Slots, attempts: number): Decision {
  const prompt = definition.prompt ?? `What ${definition.name}?`;
  return { kind: 'ask', skill, intent, slot: definition.name, prompt, slots, attempts: attempts + 1 };
}

/** Slots the NLU found that the intent declares. */
function understoodSlots(understanding: Understanding, intent: string, registry: SkillRegistry): Slots {
  const declared = registry.resolve(intent)?.intent.slots ?? [];
  const slots: Slots = {};
  for (const definition of declared) {
    const found =
      understanding.slots[definition.name] ?? understanding.entities.find((e) => e.entity === definition.entity);
    if (found) slots[definition.name] = found.value;
  }
  return slots;
}

/** Words that point back to what the conversation was about ("is it raining there", "same place tomorrow"). */
const POINTS_BACK = /\b(there|that (city|place|town)|the same (city|place|town)|same place)\b/i;

const FREE_TEXT_ENTITIES = new Set(['city', 'text', 'title', 'artist']);

/** The answer to a pending question: an extracted entity, or the reply itself for free-text slots. */
function slotAnswer(definition: SlotDefinition, understanding: Understanding, text: string, switchedIntent: boolean) {
  const found =
    understanding.slots[definition.name] ?? understanding.entities.find((e) => e.entity === definition.entity);
  // A confident new request that happens to name a value ("what time is it in Oslo" while the weather asks for a
  // city) is that request, not the answer; a reply that is nothing but the value ("in Oslo") answers, whatever
  // intent the NLU read into it.
  if (found) return !switchedIntent || onlyTheValue(text, found.raw) ? found.value : undefined;
  if (switchedIntent || !FREE_TEXT_ENTITIES.has(definition.entity)) return undefined;
  const answer = stripFillers(text);
  return answer.length > 0 && answer.split(/\s+/).length <= 5 ? answer : undefined;
}

/** Whether the reply, without its fillers and punctuation, is only the text span the value was read from. */
function onlyTheValue(text: string, raw: string): boolean {
  const words = (s: string) => stripFillers(s.replace(/[^\p{L}\p{N}'\s]+/gu, ' ').replace(/\s+/g, ' ')).toLowerCase();
  return words(text) === words(raw);
}

function stripFillers(text: string): string {
  return text
    .trim()
    .replace(/[.!?,]+$/g, '')
    .replace(/^(?:(?:in|for|at|to|of|the|um|uh|well|please|it's|it is)\s+)+/i, '')
    .replace(/\s+please$/i, '')
    .trim();
}
