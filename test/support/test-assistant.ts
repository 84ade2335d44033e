import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConversationStore } from '../../core/ports/conversation-store.js';
import type { EventPublisher } from '../../core/ports/event-publisher.js';
import type { LanguageModel } from '../../core/ports/language-model.js';
import type { SpeechRecognizer } from '../../core/ports/speech-recognizer.js';
import type { SpeechSynthesizer } from '../../core/ports/speech-synthesizer.js';
import type { UserProfileStore } from '../../core/ports/user-profile-store.js';
import { noopTelemetry } from '../../core/defaults.js';
import type { AudioStore } from '../../core/ports/audio-store.js';
import type { SentimentAnalyzer } from '../../core/ports/sentiment-analyzer.js';
import type { Skill } from '../../core/ports/skill.js';
import type { Telemetry } from '../../core/ports/telemetry.js';
import { defaultSkills } from '../../core/skills/default-skills.js';
import { SkillRegistry } from '../../core/skills/skill-registry.js';
import { InProcessEventPublisher } from '../../adapters/local/in-process-event-publisher.js';
import type { BindingOverrides } from '../../entrypoints/composition/bindings.js';
import { loadConfig } from '../../entrypoints/composition/config.js';
import { createContainer, overrideBindings, resolveAssistant } from '../../entrypoints/composition/container.js';
import { createLogger } from '../../entrypoints/composition/logger.js';
import { ArrayMusicCatalog } from '../doubles/array-music-catalog.js';
import { FixedClock } from '../doubles/fixed-clock.js';
import { FixedWeatherProvider } from '../doubles/fixed-weather-provider.js';
import { PatternLanguageUnderstanding } from '../doubles/pattern-language-understanding.js';
import { ScriptedLanguageModel } from '../doubles/scripted-language-model.js';

export const TEST_SECRET = 'http-tests-secret-that-is-long-enough-0123456789';
export const TEST_ISSUER = 'https://assistant.test';
export const TEST_AUDIENCE = 'voice-assistant-api';

/** The configuration tests compose from: in-memory stores, no speech or sentiment, a known signing secret. */
export const TEST_ENV: Readonly<Record<string, string>> = {
  ASSISTANT_NAME: 'Test Assistant',
  CONVERSATION_STORE: 'memory',
  TTS: 'none',
  STT: 'none',
  SENTIMENT: 'none',
  // The tests read the events a turn publishes (the local profile's default records none).
  EVENTS: 'in-process',
  LLM_MAX_TOKENS: '256',
  LLM_TEMPERATURE: '0.2',
  AUTH_SECRET: TEST_SECRET,
  AUTH_ISSUER: TEST_ISSUER,
  AUTH_AUDIENCE: TEST_AUDIENCE,
  // Nothing is written there: the NLU, the catalog and the secret are all given.
  DATA_DIR: join(tmpdir(), 'voice-assistant-tests'),
  LOG_LEVEL: 'silent',
};

export interface TestAssistantOptions {
  conversations?: ConversationStore;
  profiles?: UserProfileStore;
  events?: EventPublisher;
  model?: LanguageModel;
  synthesizer?: SpeechSynthesizer;
  recognizer?: SpeechRecognizer;
  audio?: AudioStore;
  sentiment?: SentimentAnalyzer;
  telemetry?: Telemetry;
  /** Skills registered after the default ones. */
  extraSkills?: Skill[];
  /** Variables over `TEST_ENV`, validated like any configuration (e.g. `{ MAX_TEXT_LENGTH: '40' }`). */
  env?: Record<string, string>;
  /** Any other binding replaced by a value. */
  overrides?: BindingOverrides;
}

/**
 * The assistant composed by the production container and modules, with deterministic doubles bound over the ports
 * that would reach the outside (weather, music, model, clock, ids) and in-memory stores, for unit and HTTP tests.
 */
export async function createTestAssistant(options: TestAssistantOptions = {}) {
  const config = loadConfig({ ...TEST_ENV, ...options.env });
  const clock = new FixedClock();
  const weather = new FixedWeatherProvider();
  const catalog = new ArrayMusicCatalog();
  const model = options.model ?? new ScriptedLanguageModel();
  const events = options.events ?? new InProcessEventPublisher();
  let counter = 0;
  const newId = () => `id-${(counter += 1).toString().padStart(6, '0')}`;
  const container = await createContainer(config, {
    logger: createLogger('silent'),
    overrides: {
      clock,
      newId,
      telemetry: options.telemetry ?? noopTelemetry,
      weatherProvider: weather,
      musicCatalog: catalog,
      languageModel: model,
      // The transport: both the outbox's relay (a turn's events) and direct publication reach it.
      eventTransport: events,
      ...(options.conversations && { conversationStore: options.conversations }),
      ...(options.profiles && { userProfileStore: options.profiles }),
      ...(options.synthesizer && { speechSynthesizer: options.synthesizer }),
      ...(options.recognizer && { speechRecognizer: options.recognizer }),
      ...(options.audio && { audioStore: options.audio }),
      ...(options.sentiment && { sentimentAnalyzer: options.sentiment }),
      ...(options.extraSkills && {
        skills: new SkillRegistry([
          ...defaultSkills({ weather, music: catalog, assistantName: config.assistantName }),
          ...options.extraSkills,
        ]),
      }),
      ...options.overrides,
    },
  });
  // The pattern NLU learns from the registry the container built, as nlp.js would.
  const nlu = new PatternLanguageUnderstanding(await (await container.getAsync('skills')).trainingSet('en'));
  await overrideBindings(container, { languageUnderstanding: options.overrides?.languageUnderstanding ?? nlu });
  const assistant = await resolveAssistant(container);
  const [conversations, profiles, authority, deps] = await Promise.all([
    container.getAsync('conversationStore'),
    container.getAsync('userProfileStore'),
    container.getAsync('tokenAuthority'),
    container.getAsync('turnDeps'),
  ]);
  return {
    assistant,
    config,
    deps,
    handleTurn: assistant.handleTurn,
    service: assistant.conversations,
    registry: assistant.skills,
    nlu,
    model,
    weather,
    catalog,
    clock,
    conversations,
    profiles,
    events,
    authority,
    close: assistant.close,
  };
}
