import {
  LexRuntimeV2Client,
  RecognizeTextCommand,
  type Interpretation,
  type LexRuntimeV2ClientConfig,
  type SessionState,
  type Slot,
} from '@aws-sdk/client-lex-runtime-v2';
import { NO_INTENT, type SlotValue, type Understanding } from '../../../core/model/understanding.js';
import {
  type LanguageUnderstanding,
  type LanguageUnderstandingCapabilities,
  type UnderstandRequest,
} from '../../../core/ports/language-understanding.js';
import type { EntityType } from '../../../core/model/understanding.js';
import { startServiceCall } from '../../shared/service-errors.js';
import { FALLBACK_INTENT, lexIntentName } from './lex-bot-definition.js';
import { primaryLanguage } from '../../shared/language-tag.js';
import { LEX_ERRORS, lexSessionId, type LexBotAddress } from './lex-runtime-wire.js';

interface LexLanguageUnderstandingSettings extends LexBotAddress {
  /**
   * Lex intent name -> the assistant's, as `lexBotDefinition(...).intentMap` generates it. Without it, the first
   * underscore of a Lex name is read back as the dot Lex does not allow (`music_now_playing` -> `music.now_playing`).
   */
  intentMap?: Readonly<Record<string, string>>;
  /**
   * The assistant's intent -> slot -> entity type (`lexBotDefinition(...).slots`); without it a slot named like an
   * entity type is that type.
   */
  slots?: Readonly<Record<string, Readonly<Record<string, EntityType>>>>;
  /** Longest wait for Lex's answer; default 10 s. */
  timeoutMs?: number;
}

/** The one method this adapter calls, so tests and callers can hand in any client that has it. */
type LexClient = Pick<LexRuntimeV2Client, 'send'>;

export type LexLanguageUnderstandingOptions = LexLanguageUnderstandingSettings &
  ({ client: LexClient; clientConfig?: never } | { client?: never; clientConfig?: LexRuntimeV2ClientConfig });

const ENTITY_TYPES: readonly EntityType[] = ['city', 'genre', 'artist', 'title', 'duration', 'number'];

/** Intent classification and slot filling by an Amazon Lex V2 bot built from `lexBotDefinition`, through RecognizeText. */
export class LexLanguageUnderstanding implements LanguageUnderstanding {
  readonly capabilities: LanguageUnderstandingCapabilities;
  private readonly client: LexClient;
  private readonly toLex: ReadonlyMap<string, string>;
  private readonly timeoutMs: number;

  constructor(private readonly options: LexLanguageUnderstandingOptions) {
    this.client = options.client ?? new LexRuntimeV2Client(options.clientConfig ?? {});
    this.toLex = new Map(Object.entries(options.intentMap ?? {}).map(([lex, ours]) => [ours, lex]));
    this.timeoutMs = options.timeoutMs ?? 10_000;
    const declared = options.slots && [
      ...new Set(Object.values(options.slots).flatMap((slots) => Object.values(slots))),
    ];
    const [language = '', region] = options.localeId.split('_');
    this.capabilities = {
      entities: declared ? ENTITY_TYPES.filter((type) => declared.includes(type)) : ENTITY_TYPES,
      languages: region ? [language, `${language}-${region}`] : [language],
    };
  }

  async understand(request: UnderstandRequest): Promise<Understanding> {
    const call = startServiceCall(LEX_ERRORS, request.signal, this.timeoutMs);
    const text = request.text.trim();
    const language = this.capabilities.languages[0] as string;
    // Another language is no error: nothing matched, and the language model may still answer.
    if (text.length === 0 || primaryLanguage(request.language) !== language) {
      return { intent: NO_INTENT, confidence: 0, slots: {}, entities: [], language: request.language };
    }
    const { botId, botAliasId, localeId } = this.options;
    let interpretations: Interpretation[];
    try {
      const output = await this.client.send(
        new RecognizeTextCommand({
          botId,
          botAliasId,
          localeId,
          sessionId: lexSessionId(request.conversationId),
          text,
          sessionState: this.sessionState(request),
        }),
        { abortSignal: call.signal },
      );
      interpretations = output.interpretations ?? [];
    } catch (error) {
      throw call.fail(error);
    }
    return this.read(interpretations, language);
  }

  /**
   * Only what this turn needs: the core keeps the dialogue, so Lex gets no history. When the assistant has just asked
   * for a slot, ElicitSlot makes Lex read a bare answer ("Paris") as that slot instead of guessing an intent.
   */
  private sessionState(request: UnderstandRequest): SessionState | undefined {
    const expecting = request.expecting;
    if (request.conversationId === undefined && !expecting) return undefined;
    return {
      ...(request.conversationId !== undefined && { sessionAttributes: { conversationId: request.conversationId } }),
      ...(expecting && {
        dialogAction: { type: 'ElicitSlot', slotToElicit: expecting.slot },
        intent: {
          name: this.toLex.get(expecting.intent) ?? lexIntentName(expecting.intent),
          state: 'InProgress',
          slots: {},
        },
      }),
    };
  }

  private read(interpretations: Interpretation[], language: string): Understanding {
    const [top] = interpretations;
    const topName = top?.intent?.name;
    const others = interpretations
      .filter((i) => i.intent?.name !== FALLBACK_INTENT)
      .map((i) => i.nluConfidence?.score ?? 0);
    const fallback = topName === undefined || topName === FALLBACK_INTENT;
    const intent = fallback ? NO_INTENT : this.ours(topName);
    const entities = new Map<string, SlotValue>();
    for (const interpretation of interpretations) {
      const name = interpretation.intent?.name;
      if (name === undefined || name === FALLBACK_INTENT) continue;
      for (const value of Object.values(this.slotsOf(this.ours(name), interpretation.intent?.slots)))
        entities.set(`${value.entity}\u0000${value.value}`, value);
    }
    return {
      intent,
      confidence: round(fallback ? 1 - Math.max(0, ...others) : (top?.nluConfidence?.score ?? 0)),
      slots: fallback ? {} : this.slotsOf(intent, top?.intent?.slots),
      entities: [...entities.values()],
      language,
    };
  }

  private slotsOf(intent: string, slots: Record<string, Slot> | undefined): Record<string, SlotValue> {
    const found: Record<string, SlotValue> = {};
    for (const [name, slot] of Object.entries(slots ?? {})) {
      const wire = slot?.value ?? slot?.values?.[0]?.value;
      const interpreted = wire?.interpretedValue ?? wire?.originalValue;
      if (interpreted === undefined || interpreted === '') continue;
      const entity =
        this.options.slots?.[intent]?.[name] ??
        (ENTITY_TYPES.includes(name as EntityType) ? (name as EntityType) : 'text');
      const value = valueOf(entity, interpreted);
      if (value !== undefined) found[name] = { entity, value, raw: wire?.originalValue ?? interpreted };
    }
    return found;
  }

  private ours(lexName: string): string {
    return this.options.intentMap?.[lexName] ?? lexName.replace('_', '.');
  }
}

/** Lex's interpreted value in the port's terms; undefined for a value the entity cannot have, which is then dropped. */
function valueOf(entity: EntityType, interpreted: string): string | number | undefined {
  if (entity === 'duration') return isoDurationSeconds(interpreted);
  if (entity === 'number') {
    const number = Number(interpreted);
    return Number.isFinite(number) ? number : undefined;
  }
  return interpreted;
}

const ISO_DURATION =
  /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
/** Seconds per ISO 8601 designator; years and months are calendar-free approximations, fine for timers and reminders. */
const DESIGNATOR_SECONDS = [365 * 86_400, 30 * 86_400, 7 * 86_400, 86_400, 3600, 60, 1];

/** AMAZON.Duration's ISO 8601 duration (`PT1H30M`) in seconds; undefined when it is not one. */
export function isoDurationSeconds(iso: string): number | undefined {
  const match = ISO_DURATION.exec(iso.trim().toUpperCase());
  if (!match || !match.slice(1).some((part) => part !== undefined)) return undefined;
  return Math.round(DESIGNATOR_SECONDS.reduce((sum, unit, i) => sum + Number(match[i + 1] ?? 0) * unit, 0));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
