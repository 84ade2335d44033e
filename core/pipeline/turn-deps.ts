import type { ReplyStream, TurnRecord } from '../model/turn.js';
import type { PreferencesReader } from '../conversation/preferences.js';
import type { PolicyOptions } from '../dialogue/dialogue-policy.js';
import type { AudioStore } from '../ports/audio-store.js';
import type { Clock } from '../ports/clock.js';
import type { ConversationStore } from '../ports/conversation-store.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import type { EventRelay } from '../ports/event-relay.js';
import type { LanguageModel } from '../ports/language-model.js';
import type { LanguageUnderstanding } from '../ports/language-understanding.js';
import type { SentimentAnalyzer } from '../ports/sentiment-analyzer.js';
import type { SpeechRecognizer } from '../ports/speech-recognizer.js';
import type { SpeechSynthesizer } from '../ports/speech-synthesizer.js';
import type { Telemetry } from '../ports/telemetry.js';
import type { SkillRegistry } from '../skills/skill-registry.js';

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

/** Everything the steps of a turn may use; each step takes only its own `Pick` of it. */
export interface TurnDeps {
  registry: SkillRegistry;
  nlu: LanguageUnderstanding;
  model: LanguageModel;
  conversations: ConversationStore;
  preferences: PreferencesReader;
  /** Publishes events that are not written with a turn (a failed turn's SystemError); absent, none are published. */
  events?: EventPublisher;
  /**
   * Delivers the events the conversation store wrote with the turns. Absent when nothing takes events (EVENTS=none):
   * a turn then writes none, since nothing would ever deliver or remove them.
   */
  relay?: EventRelay;
  audio: AudioStore;
  clock: Clock;
  telemetry: Telemetry;
  recognizer?: SpeechRecognizer;
  synthesizer?: SpeechSynthesizer;
  sentiment?: SentimentAnalyzer;
  newId: () => string;
  options: TurnPipelineOptions;
  /** The caller's cancellation, for this turn only (not part of the record: signals do not serialise). */
  signal?: AbortSignal;
  /** The caller's stream of this turn's reply, when it streams (SSE, the voice socket). */
  stream?: ReplyStream;
}

/** One step of a turn: reads the record, does its part, returns the record with that part added. */
export type TurnStep<K extends keyof TurnDeps> = (turn: TurnRecord, deps: Pick<TurnDeps, K>) => Promise<TurnRecord>;
