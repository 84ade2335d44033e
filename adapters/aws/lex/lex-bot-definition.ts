// Lex is trained from the same TrainingSet as the local NLU (SkillRegistry.trainingSet), so both understand the same
// intents; this module is the one place that turns that set into a Lex V2 bot locale.
//
// Output shape: the `BotLocales[]` item of the CloudFormation resource `AWS::Lex::Bot` (PascalCase properties,
// `Intents`, `SlotTypes`, `SampleUtterances`, `SlotPriorities`, ...), so a template can embed it as it is. Chosen over
// Lex's import/export zip (a tree of files) and over the CreateIntent/CreateSlot API inputs (several ordered calls with
// ids in between): one declarative document that CloudFormation creates and updates in place.
import { ValidationError } from '../../../core/errors.js';
import type { TrainingSet } from '../../../core/model/understanding.js';
import type { EntityType } from '../../../core/model/understanding.js';

export interface LexBotDefinitionOptions {
  botName: string;
  /** Lex's locale id, e.g. `en_US`. */
  localeId: string;
  /** NluConfidenceThreshold: below it Lex answers FallbackIntent (0..1; the Lex console's default is 0.4). */
  confidenceThreshold: number;
}

type Message = { Message: { PlainTextMessage: { Value: string } } };

export interface LexSlotDefinition {
  Name: string;
  SlotTypeName: string;
  ValueElicitationSetting: {
    SlotConstraint: 'Optional';
    PromptSpecification: { MessageGroupsList: Message[]; MaxRetries: number; AllowInterrupt: boolean };
  };
}

export interface LexIntentDefinition {
  Name: string;
  Description?: string;
  ParentIntentSignature?: string;
  SampleUtterances?: { Utterance: string }[];
  Slots?: LexSlotDefinition[];
  SlotPriorities?: { Priority: number; SlotName: string }[];
}

export interface LexSlotTypeDefinition {
  Name: string;
  Description: string;
  SlotTypeValues: { SampleValue: { Value: string } }[];
  ValueSelectionSetting: { ResolutionStrategy: 'ORIGINAL_VALUE' | 'TOP_RESOLUTION' };
}

/** One item of `AWS::Lex::Bot.BotLocales`. */
export interface LexBotLocale {
  LocaleId: string;
  Description: string;
  NluConfidenceThreshold: number;
  Intents: LexIntentDefinition[];
  SlotTypes: LexSlotTypeDefinition[];
}

export interface LexBotDefinition {
  botName: string;
  botLocale: LexBotLocale;
  /** Lex intent name -> the assistant's intent name; what LexLanguageUnderstanding's `intentMap` takes. */
  intentMap: Record<string, string>;
  /** The assistant's intent name -> slot name -> entity type; what LexLanguageUnderstanding's `slots` takes. */
  slots: Record<string, Record<string, EntityType>>;
}

export const FALLBACK_INTENT = 'FallbackIntent';

/**
 * The Lex slot type behind each entity. Cities resolve to what the user said (the list only teaches the model what a
 * city sounds like, and any place may be asked about); catalog values resolve to the catalog's own spelling.
 */
export const LEX_SLOT_TYPES: Readonly<Record<EntityType, string>> = {
  city: 'City',
  genre: 'Genre',
  artist: 'Artist',
  title: 'Title',
  duration: 'AMAZON.Duration',
  number: 'AMAZON.Number',
  // Lex only fills a free-form slot when it elicits it, and refuses it inside sample utterances.
  text: 'AMAZON.FreeFormInput',
};
const OPEN_SET: ReadonlySet<EntityType> = new Set(['city']);
const DICTIONARY: readonly EntityType[] = ['city', 'genre', 'artist', 'title'];

/** Lex's rule for intent, slot and slot type names: letters and digits, single `_` or `-` between them, at most 100. */
const LEX_NAME = /^(?:[0-9a-zA-Z][_-]?){1,100}$/;

/** The Lex name of an intent: Lex allows no dots, so every run of other characters becomes one underscore. */
export function lexIntentName(name: string): string {
  const lex = name.replace(/[^0-9A-Za-z]+/g, '_').replace(/^_+|_+$/g, '');
  if (!LEX_NAME.test(lex)) throw new ValidationError(`lex: intent "${name}" has no valid Lex name ("${lex}")`);
  return lex;
}

/** Generates the bot locale for `training`, plus the name and slot mappings the Lex adapter reads answers with. */
export function lexBotDefinition(training: TrainingSet, options: LexBotDefinitionOptions): LexBotDefinition {
  const { botName, localeId, confidenceThreshold } = options;
  if (!(confidenceThreshold >= 0 && confidenceThreshold <= 1))
    throw new ValidationError(`lex: confidenceThreshold must be within 0..1, not ${confidenceThreshold}`);
  const intentMap: Record<string, string> = {};
  const slots: LexBotDefinition['slots'] = {};
  const usedEntities = new Set<EntityType>();
  const intents: LexIntentDefinition[] = training.intents.map((intent) => {
    const name = lexIntentName(intent.name);
    if (name === FALLBACK_INTENT || intentMap[name] !== undefined) {
      throw new ValidationError(
        `lex: intents "${intentMap[name] ?? FALLBACK_INTENT}" and "${intent.name}" both become "${name}" in Lex`,
      );
    }
    intentMap[name] = intent.name;
    slots[intent.name] = Object.fromEntries(intent.slots.map((slot) => [slot.name, slot.entity]));
    for (const slot of intent.slots) {
      if (!LEX_NAME.test(slot.name))
        throw new ValidationError(`lex: slot "${slot.name}" of "${intent.name}" is not a valid Lex name`);
      usedEntities.add(slot.entity);
    }
    return {
      Name: name,
      SampleUtterances: utterancesOf(intent),
      ...(intent.slots.length > 0 && {
        Slots: intent.slots.map((slot) => slotOf(slot.name, slot.entity)),
        SlotPriorities: intent.slots.map((slot, index) => ({ Priority: index + 1, SlotName: slot.name })),
      }),
    };
  });
  intents.push({
    Name: FALLBACK_INTENT,
    Description: 'Anything no skill understands',
    ParentIntentSignature: 'AMAZON.FallbackIntent',
  });
  const slotTypes = DICTIONARY.filter((entity) => usedEntities.has(entity)).map((entity) =>
    slotTypeOf(entity, training.entities[entity] ?? []),
  );
  return {
    botName,
    botLocale: {
      LocaleId: localeId,
      Description: `${botName}: generated from the registered skills by deploy/lex/generate-bot.ts; edit the skills, not this.`,
      NluConfidenceThreshold: confidenceThreshold,
      Intents: intents,
      SlotTypes: slotTypes,
    },
    intentMap,
    slots,
  };
}

function utterancesOf(intent: TrainingSet['intents'][number]): { Utterance: string }[] {
  const seen = new Set<string>();
  const utterances: { Utterance: string }[] = [];
  for (const utterance of intent.utterances) {
    for (const [, name] of utterance.matchAll(/\{(\w+)\}/g)) {
      const slot = intent.slots.find((s) => s.name === name);
      if (!slot)
        throw new ValidationError(
          `lex: utterance "${utterance}" of "${intent.name}" names the undeclared slot "${name}"`,
        );
      if (slot.entity === 'text')
        throw new ValidationError(
          `lex: free-text slot "${name}" of "${intent.name}" cannot appear in a Lex sample utterance`,
        );
    }
    const key = utterance.trim().toLowerCase();
    if (key.length === 0 || seen.has(key)) continue;
    seen.add(key);
    utterances.push({ Utterance: utterance.trim() });
  }
  return utterances;
}

/**
 * Every slot is optional: the core's dialogue policy decides what is missing and asks for it (or takes it from the
 * user's preferences), so Lex must never start eliciting on its own. Lex still wants a prompt to elicit a slot with
 * when the adapter asks it to (ElicitSlot); the text is never shown, the core writes its own question.
 */
function slotOf(name: string, entity: EntityType): LexSlotDefinition {
  return {
    Name: name,
    SlotTypeName: LEX_SLOT_TYPES[entity],
    ValueElicitationSetting: {
      SlotConstraint: 'Optional',
      PromptSpecification: {
        MessageGroupsList: [{ Message: { PlainTextMessage: { Value: `Which ${name}?` } } }],
        MaxRetries: 1,
        AllowInterrupt: true,
      },
    },
  };
}

function slotTypeOf(entity: EntityType, values: readonly string[]): LexSlotTypeDefinition {
  const unique = [...new Set(values.map((value) => value.trim()).filter(Boolean))];
  if (unique.length === 0)
    throw new ValidationError(
      `lex: slots of type ${entity} are declared, but the training set has no ${entity} values`,
    );
  return {
    Name: LEX_SLOT_TYPES[entity],
    Description: `Known ${entity} values from the skills`,
    SlotTypeValues: unique.map((value) => ({ SampleValue: { Value: value } })),
    ValueSelectionSetting: { ResolutionStrategy: OPEN_SET.has(entity) ? 'ORIGINAL_VALUE' : 'TOP_RESOLUTION' },
  };
}
