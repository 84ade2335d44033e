import type { LanguageUnderstanding, UnderstandRequest } from '../../core/ports/language-understanding.js';
import type { TrainingSet, Understanding } from '../../core/model/understanding.js';
import { NO_INTENT } from '../../core/model/understanding.js';

/** A deterministic NLU for core and HTTP tests: an utterance matches when it equals a training example, `{slot}` matching any words. */
export class PatternLanguageUnderstanding implements LanguageUnderstanding {
  readonly capabilities = { entities: ['city', 'genre', 'artist', 'title'] as const, languages: ['en'] };
  readonly calls: UnderstandRequest[] = [];
  private readonly patterns: { intent: string; regex: RegExp; slots: { name: string; entity: string }[] }[];

  constructor(private readonly training: TrainingSet) {
    this.patterns = training.intents.flatMap((intent) =>
      intent.utterances.map((utterance) => {
        const names: string[] = [];
        const source = utterance
          .toLowerCase()
          .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
          .replace(/\{(\w+)\}/g, (_m, name: string) => {
            names.push(name);
            return '(.+)';
          });
        return {
          intent: intent.name,
          regex: new RegExp(`^${source}$`),
          slots: names.map((name) => ({ name, entity: intent.slots.find((s) => s.name === name)?.entity ?? 'text' })),
        };
      }),
    );
  }

  async understand(request: UnderstandRequest): Promise<Understanding> {
    this.calls.push(request);
    const text = request.text
      .toLowerCase()
      .replace(/[?!.,]+$/g, '')
      .trim();
    const entities = this.entitiesIn(text);
    for (const pattern of this.patterns) {
      const match = pattern.regex.exec(text);
      if (!match) continue;
      const slots: Understanding['slots'] = {};
      pattern.slots.forEach((slot, index) => {
        const raw = match[index + 1] ?? '';
        slots[slot.name] = { value: this.canonical(slot.entity, raw), raw, entity: slot.entity as never };
      });
      return { intent: pattern.intent, confidence: 1, slots, entities, language: 'en' };
    }
    return { intent: NO_INTENT, confidence: 0, slots: {}, entities, language: 'en' };
  }

  private entitiesIn(text: string): Understanding['entities'] {
    const found: Understanding['entities'] = [];
    for (const [entity, values] of Object.entries(this.training.entities)) {
      for (const value of values ?? []) {
        if (new RegExp(`\\b${value.toLowerCase()}\\b`).test(text))
          found.push({ value, raw: value.toLowerCase(), entity: entity as never });
      }
    }
    return found;
  }

  private canonical(entity: string, raw: string): string {
    const values = this.training.entities[entity as keyof TrainingSet['entities']] ?? [];
    return values.find((v) => v.toLowerCase() === raw) ?? raw;
  }
}
