import type { ToolCall, ToolDefinition } from '../model/completion.js';
import type { SkillRegistry } from '../skills/skill-registry.js';

/** A tool call the registry accepted: the intent it names and slot values of the declared types. */
export interface ValidToolCall {
  skill: string;
  intent: string;
  slots: Record<string, string | number>;
}

const NUMERIC = new Set(['number', 'duration']);

/** Tool names allow letters, digits, "_" and "-" only: "weather.current" is offered as "weather_current". */
export function toolName(intent: string): string {
  return intent.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** Every intent of every registered skill as a tool whose parameters are the intent's slots. */
export function skillTools(registry: SkillRegistry): ToolDefinition[] {
  return registry.skills.flatMap((skill) =>
    skill.intents.map((intent) => {
      const example = intent.utterances.find((u) => !u.includes('{')) ?? intent.utterances[0] ?? '';
      const slots = intent.slots ?? [];
      return {
        name: toolName(intent.name),
        description: `${skill.description}: ${intent.name} (e.g. "${example}")`,
        parameters: {
          type: 'object' as const,
          properties: Object.fromEntries(
            slots.map((slot) => [
              slot.name,
              { type: NUMERIC.has(slot.entity) ? ('number' as const) : ('string' as const), description: slot.entity },
            ]),
          ),
          // Slots the dialogue can fill from the preferences or the conversation are not demanded of the model.
          required: slots.filter((s) => s.required && !s.fromPreferences && !s.remembered).map((s) => s.name),
          additionalProperties: false as const,
        },
      };
    }),
  );
}

/** The call checked against the skill's slots: known tool, only declared slots, right types, required ones present. */
export function validateToolCall(call: ToolCall, registry: SkillRegistry): ValidToolCall | undefined {
  for (const skill of registry.skills) {
    const intent = skill.intents.find((i) => toolName(i.name) === call.name);
    if (!intent) continue;
    const args = call.arguments;
    if (typeof args !== 'object' || args === null || Array.isArray(args)) return undefined;
    const slots: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(args as Record<string, unknown>)) {
      const slot = intent.slots?.find((s) => s.name === name);
      if (!slot) return undefined;
      if (value === null || value === undefined || value === '') continue;
      if (NUMERIC.has(slot.entity) ? typeof value !== 'number' || !Number.isFinite(value) : typeof value !== 'string')
        return undefined;
      slots[name] = typeof value === 'string' ? value.trim() : (value as number);
    }
    const missing = (intent.slots ?? []).some(
      (s) => s.required && !s.fromPreferences && !s.remembered && slots[s.name] === undefined,
    );
    return missing ? undefined : { skill: skill.name, intent: intent.name, slots };
  }
  return undefined;
}
