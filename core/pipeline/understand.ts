import type { DialogueState } from '../model/dialogue-state.js';
import type { LanguageUnderstanding } from '../ports/language-understanding.js';
import type { Understanding } from '../model/understanding.js';
import type { SkillRegistry } from '../skills/skill-registry.js';

/** Classifies the text, telling the NLU which slot the assistant is waiting for, if any. */
export async function understand(
  text: string,
  nlu: LanguageUnderstanding,
  state: DialogueState,
  registry: SkillRegistry,
  context: { language: string; conversationId: string; signal?: AbortSignal },
): Promise<Understanding> {
  const pending = state.pending;
  const slot = pending && registry.resolve(pending.intent)?.intent.slots?.find((s) => s.name === pending.slot);
  return nlu.understand({
    text,
    language: context.language,
    conversationId: context.conversationId,
    ...(pending && slot && { expecting: { intent: pending.intent, slot: slot.name, entity: slot.entity } }),
    ...(context.signal && { signal: context.signal }),
  });
}
