import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Database } from 'better-sqlite3';
import type { Redis } from 'ioredis';
import type { Hs256TokenAuthority } from '../../adapters/local/hs256-token-authority.js';
import type { OutboxEventPublisher } from '../../adapters/decorators/outbox-event-publisher.js';
import type { MemoryOutboxStore } from '../../adapters/local/memory-outbox-store.js';
import type { OutboxStore } from '../../adapters/shared/outbox-store.js';
import type { ConversationService } from '../../core/conversation/conversation-service.js';
import type { HandleTurn } from '../../core/pipeline/turn-pipeline.js';
import type { TurnDeps } from '../../core/pipeline/turn-deps.js';
import type { AudioStore } from '../../core/ports/audio-store.js';
import type { TurnWorkflow } from '../../core/ports/turn-workflow.js';
import type { Cache } from '../../core/ports/cache.js';
import type { Clock } from '../../core/ports/clock.js';
import type { ConversationStore } from '../../core/ports/conversation-store.js';
import type { EventPublisher } from '../../core/ports/event-publisher.js';
import type { EventRelay } from '../../core/ports/event-relay.js';
import type { LanguageModel } from '../../core/ports/language-model.js';
import type { LanguageUnderstanding } from '../../core/ports/language-understanding.js';
import type { MusicCatalog } from '../../core/ports/music-catalog.js';
import type { SentimentAnalyzer } from '../../core/ports/sentiment-analyzer.js';
import type { SpeechRecognizer } from '../../core/ports/speech-recognizer.js';
import type { SpeechSynthesizer } from '../../core/ports/speech-synthesizer.js';
import type { Telemetry } from '../../core/ports/telemetry.js';
import type { TokenVerifier } from '../../core/ports/token-verifier.js';
import type { UserProfileStore } from '../../core/ports/user-profile-store.js';
import type { WeatherProvider } from '../../core/ports/weather-provider.js';
import type { SkillRegistry } from '../../core/skills/skill-registry.js';
import type { AppConfig } from './config.js';

export type Readiness = () => Promise<Record<string, string>>;

/** Mints tokens for the local profile's CLI; absent on AWS, where Cognito issues them. */
export interface TokenMinter {
  mint(options: { userId: string; ttlSeconds: number; scopes?: string[] }): Promise<string>;
}

/**
 * The one typed binding map every module and container is parameterised with: one key per port, use case or shared
 * client, resolved only by composition roots. Keys under "clients" are bound only when a chosen adapter needs them.
 */
export interface Bindings {
  config: AppConfig;
  clock: Clock;
  telemetry: Telemetry;
  newId: () => string;
  conversationStore: ConversationStore;
  userProfileStore: UserProfileStore;
  /** Publishes events written with nothing else (SessionStarted, a failed turn's SystemError); null with EVENTS=none. */
  eventPublisher: EventPublisher | null;
  /** The transport the events reach consumers by: the in-process bus or EventBridge (the EVENTS choice); null: none. */
  eventTransport: EventPublisher | null;
  /**
   * Delivers the events the conversation store wrote with the turns (its outbox) to the transport. Null with
   * EVENTS=none: nothing would take a turn's events, so the turn writes none.
   */
  eventRelay: EventRelay | null;
  cache: Cache;
  audioStore: AudioStore;
  /** The Step Functions turn workflow voice turns run through, when one is configured. */
  turnWorkflow: TurnWorkflow | null;
  weatherProvider: WeatherProvider;
  musicCatalog: MusicCatalog;
  skills: SkillRegistry;
  languageUnderstanding: LanguageUnderstanding;
  languageModel: LanguageModel;
  speechSynthesizer: SpeechSynthesizer | null;
  speechRecognizer: SpeechRecognizer | null;
  sentimentAnalyzer: SentimentAnalyzer | null;
  tokenVerifier: TokenVerifier;
  tokenMinter: TokenMinter | null;
  readiness: Readiness;
  /** What the steps of a turn use: folded in process by handleTurn, or run one by one as workflow tasks. */
  turnDeps: Omit<TurnDeps, 'signal'>;
  handleTurn: HandleTurn;
  conversationService: ConversationService;

  // Clients and building blocks the modules share between adapters.
  /** The local database file, when the conversation store is sqlite. */
  sqlite: Database;
  /** The local profile's signing authority: the token verifier and minter. */
  tokenAuthority: Hs256TokenAuthority;
  /** The relay of a local store's outbox (and the fallback publisher), stopped when the container is unbound. */
  eventOutbox: OutboxEventPublisher;
  /** Where a local store writes a turn's events: the outbox table of the SQLite file, or memory. */
  eventOutboxStore: OutboxStore;
  /** The memory store's outbox, shared by the store (writer) and the relay (reader). */
  memoryOutbox: MemoryOutboxStore;
  dynamoDb: DynamoDBDocumentClient;
  redis: Redis;
}

/** Values that replace bindings after the modules load: test doubles, or a client a caller already holds. */
export type BindingOverrides = { [K in keyof Bindings]?: Bindings[K] };
