import { decide, defaultPolicyOptions, type PolicyOptions } from '../dialogue/dialogue-policy.js';
import { ConversationNotFoundError, VersionConflictError, ValidationError, throwIfAborted } from '../errors.js';
import type { DomainEvent } from '../model/events.js';
import type { Clock } from '../ports/clock.js';
import type { ConversationStore } from '../ports/conversation-store.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import type { LanguageModel } from '../ports/language-model.js';
import type { LanguageUnderstanding } from '../ports/language-understanding.js';
import type { SentimentAnalyzer } from '../ports/sentiment-analyzer.js';
import type { SpeechRecognizer } from '../ports/speech-recognizer.js';
import type { SpeechSynthesizer } from '../ports/speech-synthesizer.js';
import type { Telemetry } from '../ports/telemetry.js';
import type { Conversation, Turn } from '../model/conversation.js';
import type { PreferencesReader } from '../conversation/preferences.js';
import type { SkillRegistry } from '../skills/skill-registry.js';
import { KeyedMutex } from './keyed-mutex.js';
import { persist } from './persist.js';
import { publish } from './publish.js';
import { respond } from './respond.js';
import { synthesize } from './synthesize.js';
import { transcribe } from './transcribe.js';
import type { StepName, TurnReply, TurnRequest } from '../model/turn.js';
import { understand } from './understand.js';

export interface TurnPipelineDeps {
  registry: SkillRegistry;
  nlu: LanguageUnderstanding;
  model: LanguageModel;
  conversations: ConversationStore;
  preferences: PreferencesReader;
  events: EventPublisher;
  clock: Clock;
  telemetry: Telemetry;
  recognizer?: SpeechRecognizer;
  synthesizer?: SpeechSynthesizer;
  sentiment?: SentimentAnalyzer;
  newId: () => string;
  options: TurnPipelineOptions;
}

export interface TurnPipelineOptions {
  policy?: PolicyOptions;
  /** How many earlier turns the language model sees. */
  historyWindow: number;
  systemPrompt: string;
  maxTokens: number;
  temperature: number;
  maxTextLength: number;
  /** Attempts when another process wrote the conversation between our read and our write. */
  maxConflictRetries: number;
}

export type HandleTurn = (request: TurnRequest) => Promise<TurnReply>;

/** Builds the in-process turn runner: the steps of one turn in sequence, one turn per conversation at a time. */
export function createTurnPipeline(deps: TurnPipelineDeps): HandleTurn {
  const mutex = new KeyedMutex();
  return (request) => mutex.run(request.conversationId, () => runTurn(deps, request));
}

async function runTurn(deps: TurnPipelineDeps, request: TurnRequest): Promise<TurnReply> {
  const { clock, telemetry, options, registry } = deps;
  const timings: TurnReply['timings'] = {};
  const started = clock.monotonicMs();
  const timed = async <T>(step: StepName, fn: () => Promise<T>): Promise<T> => {
    throwIfAborted(request.signal);
    const t0 = clock.monotonicMs();
    try {
      return await telemetry.span(`turn.${step}`, fn);
    } finally {
      timings[step] = round(clock.monotonicMs() - t0);
    }
  };

  const preferences = await deps.preferences(request.userId);
  const language = preferences.language;
  let conversation = await timed('load', () => loadConversation(deps, request));
  if (request.idempotencyKey) {
    const replay = await replayed(deps, conversation, request.idempotencyKey);
    if (replay) return replay;
  }
  const heard = await timed('transcribe', () => transcribe(request.input, deps.recognizer, language, registry.phrases(), request.signal));
  if (heard.length === 0) throw new ValidationError('the turn has no text (empty text or silent audio)');
  if (heard.length > options.maxTextLength) throw new ValidationError(`text is longer than ${options.maxTextLength} characters`);
  const sentiment = deps.sentiment ? await deps.sentiment.analyze({ text: heard, language }).catch(() => undefined) : undefined;

  for (let attempt = 1; ; attempt += 1) {
    const state = conversation.state;
    const understanding = await timed('understand', () =>
      understand(heard, deps.nlu, state, registry, { language, conversationId: conversation.id, ...(request.signal && { signal: request.signal }) }),
    );
    const decision = await timed('decide', async () => decide(understanding, state, registry, preferences, heard, options.policy ?? defaultPolicyOptions));
    const now = clock.now();
    const history = () => deps.conversations.recentTurns({
      userId: request.userId, conversationId: conversation.id, limit: options.historyWindow, signal: request.signal,
    });
    const response = await timed('respond', () =>
      respond(decision, registry, deps.model, {
        text: heard,
        userId: request.userId,
        conversationId: conversation.id,
        preferences,
        now,
        state,
        history,
        systemPrompt: options.systemPrompt,
        maxTokens: options.maxTokens,
        temperature: options.temperature,
        ...(request.signal && { signal: request.signal }),
      }),
    );
    const speech = request.speech
      ? await timed('synthesize', () =>
          synthesize(response.text, deps.synthesizer, {
            language,
            ...((request.speech?.voice ?? preferences.voice) && { voice: request.speech?.voice ?? preferences.voice }),
            ...(request.speech?.format && { format: request.speech.format }),
            ...(request.signal && { signal: request.signal }),
          }),
        )
      : undefined;

    const at = now.toISOString();
    const skill = decision.kind === 'llm' ? undefined : decision.skill;
    const slots = decision.kind === 'llm' ? {} : decision.slots;
    const userTurn: Turn = {
      id: deps.newId(), role: 'user', text: heard, at, intent: decision.intent,
      ...(request.idempotencyKey && { idempotencyKey: request.idempotencyKey }),
      ...(Object.keys(slots).length > 0 && { slots }), ...(sentiment && { sentiment }),
    };
    const assistantTurn: Turn = {
      id: deps.newId(), role: 'assistant', text: response.text, at, intent: decision.intent,
      ...(skill && { skill }), ...(response.data && { data: response.data }),
      route: decision.kind, ...(response.endConversation && { endConversation: true }),
    };
    let stored;
    try {
      throwIfAborted(request.signal);
      stored = await timed('persist', () => persist(deps.conversations, conversation, [userTurn, assistantTurn], response.state, at));
    } catch (error) {
      if (error instanceof VersionConflictError && attempt < options.maxConflictRetries) {
        telemetry.metric('TurnVersionConflict', 1, 'Count');
        conversation = await loadConversation(deps, request);
        continue;
      }
      throw error;
    }

    const base = { at, userId: request.userId, conversationId: conversation.id };
    const events: DomainEvent[] = [
      { ...base, id: deps.newId(), type: 'UserInteraction', turnId: userTurn.id, text: heard, inputMode: request.input.kind,
        intent: decision.intent, confidence: understanding.confidence, ...(sentiment && { sentiment }) },
      { ...base, id: deps.newId(), type: 'AssistantReplied', turnId: assistantTurn.id, route: decision.kind,
        ...(skill && { skill }), intent: decision.intent, timings: { ...timings } as Record<string, number> },
    ];
    if (response.degraded) {
      events.push({ ...base, id: deps.newId(), type: 'SystemError', code: response.degraded.code, step: 'respond', message: response.degraded.message });
    }
    await timed('publish', () => publish(deps.events, events, telemetry));
    timings.total = round(clock.monotonicMs() - started);
    telemetry.metric('TurnLatency', timings.total, 'Milliseconds', { route: decision.kind });

    return {
      conversationId: conversation.id,
      turnId: assistantTurn.id,
      text: response.text,
      heard,
      intent: decision.intent,
      confidence: understanding.confidence,
      route: decision.kind,
      ...(skill && { skill }),
      slots,
      ...(response.data && { data: response.data }),
      endConversation: response.endConversation,
      ...(speech && 'audio' in speech && { audio: speech.audio }),
      ...(speech && 'error' in speech && { speechError: speech.error }),
      timings,
      version: stored.version,
    };
  }
}

/** How far back a repeated idempotency key is looked for: retries come within seconds, not dozens of turns. */
const REPLAY_WINDOW_TURNS = 40;

/** The stored reply to an earlier request with the same key, if it is still among the recent turns. */
async function replayed(deps: TurnPipelineDeps, conversation: Conversation, key: string): Promise<TurnReply | undefined> {
  const recent = await deps.conversations.recentTurns({
    userId: conversation.userId, conversationId: conversation.id, limit: REPLAY_WINDOW_TURNS,
  });
  const index = recent.findIndex((turn) => turn.role === 'user' && turn.idempotencyKey === key);
  const user = recent[index];
  const assistant = recent[index + 1];
  if (!user || assistant?.role !== 'assistant') return undefined;
  deps.telemetry.metric('TurnReplayed', 1, 'Count');
  return {
    conversationId: conversation.id,
    turnId: assistant.id,
    text: assistant.text,
    heard: user.text,
    intent: assistant.intent ?? user.intent ?? 'None',
    confidence: 1,
    route: assistant.route ?? (assistant.skill ? 'skill' : 'llm'),
    ...(assistant.skill && { skill: assistant.skill }),
    slots: user.slots ?? {},
    ...(assistant.data && { data: assistant.data }),
    endConversation: assistant.endConversation ?? false,
    timings: {},
    version: conversation.version,
    replayed: true,
  };
}

async function loadConversation(deps: TurnPipelineDeps, request: TurnRequest) {
  const conversation = await deps.conversations.get({
    userId: request.userId, conversationId: request.conversationId, signal: request.signal,
  });
  if (!conversation) throw new ConversationNotFoundError(request.conversationId);
  return conversation;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
