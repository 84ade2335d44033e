import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { gzipSync } from 'node:zlib';
import { NlpJsLanguageUnderstanding } from '../../../adapters/local/nlpjs-language-understanding.js';
import {
  FALLBACK_INTENT,
  LEX_SLOT_TYPES,
  type LexBotDefinition,
  type LexIntentDefinition,
} from '../../../adapters/aws/lex/lex-bot-definition.js';
import type { TrainingSet, Understanding } from '../../../core/model/understanding.js';
import type { EntityType } from '../../../core/model/understanding.js';
import { startFakeAwsH2Server } from './fake-aws-h2-server.js';
import type { FakeReply, RecordedRequest } from './fake-aws-server.js';

/** A RecognizeText or RecognizeUtterance call as it arrived, decoded from the path, headers and body. */
export interface LexCall {
  operation: 'text' | 'utterance';
  sessionId: string;
  headers: IncomingHttpHeaders;
  /** RecognizeText: the JSON body (`text`, `sessionState`, ...). */
  body?: { text?: string; sessionState?: WireSessionState; requestAttributes?: Record<string, string> };
  /** RecognizeUtterance: the raw request body (audio, or text for `text/plain`). */
  audio?: Buffer;
}

interface WireSessionState {
  dialogAction?: { type?: string; slotToElicit?: string };
  intent?: { name?: string; state?: string; slots?: Record<string, unknown> };
  sessionAttributes?: Record<string, string>;
}

export interface LexRuntimeFakeOptions {
  botId: string;
  botAliasId: string;
  definition: LexBotDefinition;
}

export interface LexRuntimeFake {
  url: string;
  calls: LexCall[];
  /** Teaches the fake what a clip says: RecognizeUtterance with exactly these PCM bytes, at this rate, answers this transcript. */
  hear(pcm: Uint8Array, sampleRate: number, transcript: string): void;
  /** Answers the next call with this modeled error. */
  failNext(status: number, errorType: string, message?: string): void;
  /** Holds the next call unanswered: `received` settles when it arrives, `release` lets it finish. */
  hold(): { received: Promise<void>; release(): void };
  close(): Promise<void>;
}

/** The PCM encodings RecognizeUtterance accepts (API reference, `requestContentType`), and their sample rates. */
const AUDIO_TYPES: Record<string, number> = {
  'audio/l16; rate=16000; channels=1': 16_000,
  'audio/x-l16; sample-rate=16000; channel-count=1': 16_000,
  'audio/lpcm; sample-rate=8000; sample-size-bits=16; channel-count=1; is-big-endian=false': 8000,
};
const TEXT_TYPE = 'text/plain; charset=utf-8';
const SESSION_ID = /^[0-9a-zA-Z._:-]{2,100}$/;
/** Confidence given to intents that only share an entity with the utterance; Lex scores alternatives, the fake cannot. */
const ALTERNATIVE_SCORE = 0.1;

/**
 * A loopback Lex V2 runtime for one bot alias and locale, trained from the generated bot definition. Classification is
 * delegated to the local nlp.js adapter trained on the same intents, utterances and slot values, so held-out
 * paraphrases get the answers a trained bot would give; the answers go out in Lex's wire format (interpretations with
 * nluConfidence, slots with originalValue/interpretedValue/resolvedValues, sessionState, and for RecognizeUtterance
 * gzip+base64 headers). Requests that Lex would refuse (wrong bot, alias or locale, bad session id, an ElicitSlot
 * naming no slot of the bot, an unsupported audio content type) are refused with Lex's errors.
 */
export async function startLexRuntimeFake(options: LexRuntimeFakeOptions): Promise<LexRuntimeFake> {
  const { botId, botAliasId, definition } = options;
  const locale = definition.botLocale;
  const intents = locale.Intents.filter((intent) => intent.Name !== FALLBACK_INTENT);
  const nlu = await NlpJsLanguageUnderstanding.create({
    training: trainingOf(definition),
    threshold: locale.NluConfidenceThreshold,
  });
  const calls: LexCall[] = [];
  const heard = new Map<string, string>();
  let failure: FakeReply | undefined;
  let held: { arrived: () => void; released: Promise<void> } | undefined;
  const prefix = `/bots/${botId}/botAliases/${botAliasId}/botLocales/${locale.LocaleId}/sessions/`;

  const handle = async (request: RecordedRequest): Promise<FakeReply> => {
    const route =
      /^\/bots\/([^/]+)\/botAliases\/([^/]+)\/botLocales\/([^/]+)\/sessions\/([^/]+)\/(text|utterance)$/.exec(
        request.path,
      );
    if (!route)
      return { status: 404, errorType: 'UnknownOperationException', message: `no Lex operation at ${request.path}` };
    const sessionId = decodeURIComponent(route[4] as string);
    const operation = route[5] as LexCall['operation'];
    const call: LexCall = {
      operation,
      sessionId,
      headers: request.headers,
      ...(operation === 'text' ? { body: request.json() } : { audio: request.body }),
    };
    calls.push(call);
    if (held) {
      const { arrived, released } = held;
      held = undefined;
      arrived();
      await released;
    }
    if (failure) {
      const reply = failure;
      failure = undefined;
      return reply;
    }
    if (!request.path.startsWith(prefix))
      return lexError(404, 'ResourceNotFoundException', `no bot ${route[1]} alias ${route[2]} locale ${route[3]}`);
    if (!SESSION_ID.test(sessionId)) return lexError(400, 'ValidationException', `invalid sessionId ${sessionId}`);
    return operation === 'text' ? recognizeText(call) : recognizeUtterance(call);
  };

  const recognizeText = async (call: LexCall): Promise<FakeReply> => {
    const text = call.body?.text;
    if (typeof text !== 'string' || text.length === 0) return lexError(400, 'ValidationException', 'text is required');
    const state = call.body?.sessionState ?? {};
    const elicited = elicitation(state);
    if (typeof elicited === 'string') return lexError(400, 'ValidationException', elicited);
    const interpretations = await interpret(text, elicited);
    return {
      json: {
        sessionId: call.sessionId,
        messages: [],
        interpretations,
        sessionState: sessionStateOf(interpretations, state),
      },
    };
  };

  const recognizeUtterance = async (call: LexCall): Promise<FakeReply> => {
    const type = String(call.headers['content-type'] ?? '')
      .replace(/\s*;\s*/g, '; ')
      .trim();
    const audio = call.audio ?? Buffer.alloc(0);
    let transcript: string;
    if (type === TEXT_TYPE) transcript = audio.toString('utf8');
    else if (AUDIO_TYPES[type] !== undefined)
      transcript = audio.length === 0 ? '' : (heard.get(keyOf(AUDIO_TYPES[type], audio)) ?? '');
    else return lexError(400, 'ValidationException', `unsupported requestContentType ${type}`);
    const interpretations = transcript
      ? await interpret(transcript, undefined)
      : [{ intent: { name: FALLBACK_INTENT, slots: {}, state: 'ReadyForFulfillment' } }];
    const headers: Record<string, string> = {
      'content-type': String(call.headers['response-content-type'] ?? TEXT_TYPE),
      'x-amz-lex-input-mode': type === TEXT_TYPE ? 'Text' : 'Speech',
      'x-amz-lex-session-id': call.sessionId,
      'x-amz-lex-input-transcript': lexHeader(transcript),
      'x-amz-lex-interpretations': lexHeader(interpretations),
      'x-amz-lex-session-state': lexHeader(sessionStateOf(interpretations, {})),
      'x-amz-lex-messages': lexHeader([]),
    };
    return { body: Buffer.alloc(0), headers };
  };

  /** The elicited intent and slot, undefined when nothing is elicited, or the reason Lex would refuse the state. */
  const elicitation = (
    state: WireSessionState,
  ): { intent: LexIntentDefinition; slot: string; entity: EntityType } | undefined | string => {
    if (state.dialogAction?.type !== 'ElicitSlot') return undefined;
    const slotName = state.dialogAction.slotToElicit;
    const intent = intents.find((i) => i.Name === state.intent?.name);
    if (!slotName || !intent)
      return `ElicitSlot needs slotToElicit and an intent of the bot (got ${slotName}, ${state.intent?.name})`;
    const slot = intent.Slots?.find((s) => s.Name === slotName);
    if (!slot) return `intent ${intent.Name} has no slot ${slotName}`;
    return { intent, slot: slotName, entity: entityOf(slot.SlotTypeName) };
  };

  const interpret = async (
    text: string,
    elicited: { intent: LexIntentDefinition; slot: string; entity: EntityType } | undefined,
  ) => {
    const understanding = await nlu.understand({
      text,
      language: 'en',
      ...(elicited && { expecting: { intent: elicited.intent.Name, slot: elicited.slot, entity: elicited.entity } }),
    });
    const filled = elicited && understanding.entities.some((e) => e.entity === elicited.entity);
    // Lex reads the answer to an elicited slot as that slot of the elicited intent, whatever else the words could mean.
    const top = filled ? elicited.intent : intents.find((i) => i.Name === understanding.intent);
    const scoreOf = filled && understanding.intent !== elicited.intent.Name ? 1 : understanding.confidence;
    const alternatives = intents
      .filter(
        (intent) =>
          intent !== top &&
          (intent.Slots ?? []).some((slot) =>
            understanding.entities.some((e) => e.entity === entityOf(slot.SlotTypeName)),
          ),
      )
      .map((intent) => ({
        nluConfidence: { score: ALTERNATIVE_SCORE },
        intent: wireIntent(intent, understanding, 'InProgress'),
      }));
    const fallback = { intent: { name: FALLBACK_INTENT, slots: {}, state: 'InProgress', confirmationState: 'None' } };
    if (!top) return [fallback, ...alternatives];
    return [
      { nluConfidence: { score: scoreOf }, intent: wireIntent(top, understanding, 'ReadyForFulfillment') },
      fallback,
      ...alternatives,
    ];
  };

  const server = await startFakeAwsH2Server({ 'POST /bots/': handle });
  return {
    url: server.url,
    calls,
    hear: (pcm, sampleRate, transcript) => heard.set(keyOf(sampleRate, Buffer.from(pcm)), transcript),
    failNext: (status, errorType, message = `${errorType} from the fake`) => {
      failure = lexError(status, errorType, message);
    },
    hold: () => {
      let release!: () => void;
      let arrived!: () => void;
      const received = new Promise<void>((resolve) => (arrived = resolve));
      held = { arrived, released: new Promise<void>((resolve) => (release = resolve)) };
      return { received, release };
    },
    close: () => server.close(),
  };
}

/** The bot definition read back as a TrainingSet, so the stand-in learns only what the real bot would be given. */
function trainingOf(definition: LexBotDefinition): TrainingSet {
  const entities: TrainingSet['entities'] = {};
  for (const type of definition.botLocale.SlotTypes)
    entities[entityOf(type.Name)] = type.SlotTypeValues.map((v) => v.SampleValue.Value);
  return {
    language: 'en',
    intents: definition.botLocale.Intents.filter((intent) => intent.Name !== FALLBACK_INTENT).map((intent) => ({
      name: intent.Name,
      utterances: (intent.SampleUtterances ?? []).map((u) => u.Utterance),
      slots: (intent.Slots ?? []).map((slot) => ({ name: slot.Name, entity: entityOf(slot.SlotTypeName) })),
    })),
    entities,
  };
}

function entityOf(slotTypeName: string): EntityType {
  const entry = Object.entries(LEX_SLOT_TYPES).find(([, name]) => name === slotTypeName);
  if (!entry) throw new Error(`lex fake: unknown slot type ${slotTypeName}`);
  return entry[0] as EntityType;
}

/** An intent with every slot Lex would return: filled ones with Lex's value object, the rest null. */
function wireIntent(intent: LexIntentDefinition, understanding: Understanding, state: string) {
  const used = new Set<unknown>();
  const slots: Record<string, unknown> = {};
  for (const slot of intent.Slots ?? []) {
    const entity = entityOf(slot.SlotTypeName);
    const match = understanding.entities.find((e) => e.entity === entity && !used.has(e));
    if (match) used.add(match);
    slots[slot.Name] = match ? { value: wireValue(entity, match.value, match.raw) } : null;
  }
  return { name: intent.Name, slots, state, confirmationState: 'None' };
}

function wireValue(entity: EntityType, value: string | number, raw: string) {
  // City is ORIGINAL_VALUE (what was said); catalog types are TOP_RESOLUTION (the catalog's spelling).
  const interpreted = entity === 'duration' ? isoDuration(Number(value)) : entity === 'city' ? raw : String(value);
  return {
    originalValue: raw,
    interpretedValue: interpreted,
    resolvedValues: [String(entity === 'duration' ? interpreted : value)],
  };
}

/** Seconds as AMAZON.Duration writes them (`PT1H30M`). */
function isoDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s || (!h && !m) ? `${s}S` : ''}`;
}

function sessionStateOf(
  interpretations: { intent: { name: string; slots: Record<string, unknown>; state: string } }[],
  request: WireSessionState,
) {
  const top = interpretations[0]?.intent;
  return {
    dialogAction: { type: 'Close' },
    ...(top && { intent: { ...top, state: 'ReadyForFulfillment', confirmationState: 'None' } }),
    sessionAttributes: request.sessionAttributes ?? {},
    originatingRequestId: 'fake-request',
  };
}

function lexHeader(value: unknown): string {
  return gzipSync(Buffer.from(JSON.stringify(value), 'utf8')).toString('base64');
}

function lexError(status: number, errorType: string, message: string): FakeReply {
  return { status, errorType, message };
}

function keyOf(sampleRate: number, pcm: Buffer): string {
  return `${sampleRate}:${createHash('sha256').update(pcm).digest('hex')}`;
}
