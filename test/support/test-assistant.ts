import { createConversationService } from '../../core/conversation/conversation-service.js';
import { createPreferencesReader } from '../../core/conversation/preferences.js';
import { buildSystemPrompt } from '../../core/dialogue/system-prompt.js';
import { createTurnPipeline } from '../../core/pipeline/turn-pipeline.js';
import type { TurnDeps } from '../../core/pipeline/turn-deps.js';
import type { SentimentAnalyzer } from '../../core/ports/sentiment-analyzer.js';
import type { Skill } from '../../core/ports/skill.js';
import type { Telemetry } from '../../core/ports/telemetry.js';
import type { AudioStore } from '../../core/ports/audio-store.js';
import type { ConversationStore } from '../../core/ports/conversation-store.js';
import type { EventPublisher } from '../../core/ports/event-publisher.js';
import type { LanguageModel } from '../../core/ports/language-model.js';
import type { SpeechRecognizer } from '../../core/ports/speech-recognizer.js';
import type { SpeechSynthesizer } from '../../core/ports/speech-synthesizer.js';
import type { UserProfileStore } from '../../core/ports/user-profile-store.js';
import { noopTelemetry } from '../../core/defaults.js';
import { defaultSkills } from '../../core/skills/default-skills.js';
import { SkillRegistry } from '../../core/skills/skill-registry.js';
import { InProcessEventPublisher } from '../../adapters/local/in-process-event-publisher.js';
import { MemoryAudioStore } from '../../adapters/local/memory-audio-store.js';
import { MemoryConversationStore } from '../../adapters/local/memory-conversation-store.js';
import { MemoryUserProfileStore } from '../../adapters/local/memory-user-profile-store.js';
import { ArrayMusicCatalog } from '../doubles/array-music-catalog.js';
import { FixedClock } from '../doubles/fixed-clock.js';
import { FixedWeatherProvider } from '../doubles/fixed-weather-provider.js';
import { PatternLanguageUnderstanding } from '../doubles/pattern-language-understanding.js';
import { ScriptedLanguageModel } from '../doubles/scripted-language-model.js';

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
  /** Registered after the default skills. */
  extraSkills?: Skill[];
}

/** The core wired with in-memory adapters and deterministic doubles, for unit and HTTP tests. */
export async function createTestAssistant(options: TestAssistantOptions = {}) {
  const clock = new FixedClock();
  const weather = new FixedWeatherProvider();
  const catalog = new ArrayMusicCatalog();
  const model = options.model ?? new ScriptedLanguageModel();
  const conversations = options.conversations ?? new MemoryConversationStore();
  const profiles = options.profiles ?? new MemoryUserProfileStore();
  const events = options.events ?? new InProcessEventPublisher();
  const registry = new SkillRegistry([
    ...defaultSkills({ weather, music: catalog, assistantName: 'Test Assistant' }),
    ...(options.extraSkills ?? []),
  ]);
  const nlu = new PatternLanguageUnderstanding(await registry.trainingSet('en'));
  const preferences = createPreferencesReader(profiles, { language: 'en-US', units: 'metric', timeZone: 'UTC' });
  let counter = 0;
  const newId = () => `id-${(counter += 1).toString().padStart(6, '0')}`;
  const telemetry = options.telemetry ?? noopTelemetry;
  const deps: Omit<TurnDeps, 'signal'> = {
    registry, nlu, model, conversations, preferences, events, clock, telemetry, newId,
    audio: options.audio ?? new MemoryAudioStore({ clock }),
    ...(options.synthesizer && { synthesizer: options.synthesizer }),
    ...(options.recognizer && { recognizer: options.recognizer }),
    ...(options.sentiment && { sentiment: options.sentiment }),
    options: {
      historyWindow: 10, systemPrompt: buildSystemPrompt('Test Assistant', registry), maxTokens: 256, temperature: 0.2,
      maxTextLength: 2000, maxConflictRetries: 3,
    },
  };
  const handleTurn = createTurnPipeline(deps);
  const service = createConversationService({ conversations, profiles, preferences, events, clock, telemetry, newId });
  return { handleTurn, deps, service, registry, nlu, model, weather, catalog, clock, conversations, profiles, events };
}
