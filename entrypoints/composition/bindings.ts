import type { ConversationService } from '../../core/conversation/conversation-service.js';
import type { HandleTurn } from '../../core/pipeline/turn-pipeline.js';
import type { Cache } from '../../core/ports/cache.js';
import type { Clock } from '../../core/ports/clock.js';
import type { ConversationStore } from '../../core/ports/conversation-store.js';
import type { EventPublisher } from '../../core/ports/event-publisher.js';
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

export type Readiness = () => Promise<Record<string, 'ok' | string>>;

/** Mints tokens for the local profile's CLI; absent on AWS, where Cognito issues them. */
export interface TokenMinter {
  mint(options: { userId: string; ttlSeconds: number; scopes?: string[] }): Promise<string>;
}

/** The typed binding map: one key per port or use case, resolved only by composition roots. */
export interface Bindings {
  config: AppConfig;
  clock: Clock;
  telemetry: Telemetry;
  newId: () => string;
  conversationStore: ConversationStore;
  userProfileStore: UserProfileStore;
  eventPublisher: EventPublisher;
  cache: Cache;
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
  handleTurn: HandleTurn;
  conversationService: ConversationService;
}
