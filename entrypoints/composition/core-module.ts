import { TypedContainerModule } from '@inversifyjs/strongly-typed';
import { cityTimeZone } from '../../adapters/local/city-time-zones.js';
import { randomId } from '../../adapters/shared/random-id.js';
import { createConversationService } from '../../core/conversation/conversation-service.js';
import { createPreferencesReader } from '../../core/conversation/preferences.js';
import { buildSystemPrompt } from '../../core/dialogue/system-prompt.js';
import { createTurnPipeline } from '../../core/pipeline/turn-pipeline.js';
import { createWorkflowTurnRunner, routeVoiceTurns } from '../../core/pipeline/workflow-runner.js';
import { systemClock } from '../../core/defaults.js';
import { defaultSkills } from '../../core/skills/default-skills.js';
import { SkillRegistry } from '../../core/skills/skill-registry.js';
import type { Bindings } from './bindings.js';
import { bindFactory } from './typed-factory.js';

/** Bindings every profile shares: skills, the turn pipeline and the conversation use cases. */
export const coreModule = new TypedContainerModule<Bindings>(({ bind }) => {
  bind('clock').toConstantValue(systemClock);
  // Flat UUID strings: what the stores keep of a turn is a third of what randomUUID's cons strings made it.
  bind('newId').toConstantValue(randomId);
  bindFactory(
    bind,
    'skills',
    ['config', 'weatherProvider', 'musicCatalog'],
    (config, weather, music) =>
      new SkillRegistry(
        defaultSkills({ weather, music, assistantName: config.assistantName, timeZoneOf: cityTimeZone }),
      ),
  );
  bindFactory(
    bind,
    'turnDeps',
    [
      'config',
      'skills',
      'languageUnderstanding',
      'languageModel',
      'conversationStore',
      'userProfileStore',
      'eventPublisher',
      'eventRelay',
      'clock',
      'telemetry',
      'newId',
      'speechSynthesizer',
      'speechRecognizer',
      'sentimentAnalyzer',
      'audioStore',
    ],
    (
      config,
      registry,
      nlu,
      model,
      conversations,
      profiles,
      events,
      relay,
      clock,
      telemetry,
      newId,
      synthesizer,
      recognizer,
      sentiment,
      audio,
    ) => ({
      registry,
      nlu,
      model,
      conversations,
      ...(events && { events }),
      ...(relay && { relay }),
      clock,
      telemetry,
      newId,
      audio,
      preferences: createPreferencesReader(profiles, config.defaults),
      ...(synthesizer && { synthesizer }),
      ...(recognizer && { recognizer }),
      ...(sentiment && { sentiment }),
      options: {
        policy: { confidenceThreshold: config.nlu.confidenceThreshold, maxSlotAttempts: 2 },
        historyWindow: config.llm.historyWindow,
        systemPrompt: buildSystemPrompt(config.assistantName, registry),
        maxTokens: config.llm.maxTokens,
        temperature: config.llm.temperature,
        maxTextLength: config.limits.maxTextLength,
        maxConflictRetries: 5,
      },
    }),
  );
  // The in-process runner folds the steps; a workflow's task handlers run the same steps over the same deps.
  bindFactory(bind, 'handleTurn', ['turnDeps', 'turnWorkflow'], (deps, workflow) => {
    const inProcess = createTurnPipeline(deps);
    return workflow ? routeVoiceTurns(inProcess, createWorkflowTurnRunner({ ...deps, workflow })) : inProcess;
  });
  bindFactory(bind, 'readiness', ['conversationStore', 'userProfileStore'], (conversations, profiles) => async () => {
    const checks: Record<string, string> = {};
    try {
      await conversations.list({ userId: '__readiness__', limit: 1 });
      await profiles.get({ userId: '__readiness__' });
      checks.storage = 'ok';
    } catch (error) {
      checks.storage = error instanceof Error ? error.message : String(error);
    }
    return checks;
  });
  bindFactory(
    bind,
    'conversationService',
    ['config', 'conversationStore', 'userProfileStore', 'eventPublisher', 'clock', 'telemetry', 'newId'],
    (config, conversations, profiles, events, clock, telemetry, newId) =>
      createConversationService({
        conversations,
        profiles,
        ...(events && { events }),
        clock,
        telemetry,
        newId,
        preferences: createPreferencesReader(profiles, config.defaults),
      }),
  );
});
