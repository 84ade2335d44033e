import { TypedContainer } from '@inversifyjs/strongly-typed';
import { LogTelemetry, type StructuredLogger } from '../../adapters/local/log-telemetry.js';
import type { InProcessEventPublisher } from '../../adapters/local/in-process-event-publisher.js';
import { CachingLanguageModel } from '../../adapters/decorators/caching-language-model.js';
import type { Cache } from '../../core/ports/cache.js';
import type { Telemetry } from '../../core/ports/telemetry.js';
import type { BindingOverrides, Bindings } from './bindings.js';
import { usesAwsModule, type AppConfig } from './config.js';
import { coreModule } from './core-module.js';
import { ensurePrivateDataDir, usesDataDir } from './private-data-dir.js';
import { cacheErrorReporter, localModule } from './local-module.js';
import { bindFactory } from './typed-factory.js';

export interface ComposeOptions {
  logger: StructuredLogger;
  /**
   * Values that replace the modules' bindings (test doubles, a fake weather service for a generator): each key is
   * unbound and bound to its value after the modules load, so whatever depends on it gets the value.
   */
  overrides?: BindingOverrides;
}

/** The container for a config: the core module plus the adapter modules its adapter choices need. */
export async function createContainer(config: AppConfig, options: ComposeOptions): Promise<TypedContainer<Bindings>> {
  // Every user's conversations live there: private before the first byte is written, or no start at all.
  if (usesDataDir(config)) await ensurePrivateDataDir(config.dataDir);
  const container = new TypedContainer<Bindings>({ defaultScope: 'Singleton' });
  container.bind('config').toConstantValue(config);
  container.bind('telemetry').toConstantValue(await telemetryFor(config, options.logger));
  await container.loadAsync(coreModule);
  await container.loadAsync(localModule(config));
  if (usesAwsModule(config)) {
    // Loaded only when needed, so the embedded default never loads an AWS SDK.
    const { awsModule } = await import('./aws-module.js');
    await container.loadAsync(awsModule(config));
  }
  if (config.cache.llmSeconds > 0) {
    // Identical prompts within the TTL reuse the answer, whichever module bound the model.
    container.onActivation(
      'languageModel',
      async (context, inner) =>
        new CachingLanguageModel({
          inner,
          cache: await context.getAsync<Cache>('cache'),
          ttlSeconds: config.cache.llmSeconds,
          namespace: `${config.adapters.llm}:${config.adapters.llm === 'bedrock' ? config.aws.bedrock.modelId : config.llm.model}`,
          onCacheError: cacheErrorReporter(await context.getAsync<Telemetry>('telemetry')),
        }),
    );
  }
  if (options.overrides) await overrideBindings(container, options.overrides);
  return container;
}

/** Binds each key of `overrides` to its value in place of the modules' binding; call it before resolving anything. */
export async function overrideBindings(
  container: TypedContainer<Bindings>,
  overrides: BindingOverrides,
): Promise<void> {
  const bind = container.bind.bind(container);
  const rebind = async <K extends keyof Bindings>(key: K, value: Bindings[K]) => {
    if (container.isBound(key)) await container.unbindAsync(key);
    bindFactory(bind, key, [], () => value);
  };
  for (const key of Object.keys(overrides) as (keyof Bindings)[]) {
    const value = overrides[key];
    if (value !== undefined) await rebind(key, value);
  }
}

/** Powertools (CloudWatch EMF metrics, X-Ray spans) on AWS; structured log lines locally. */
async function telemetryFor(config: AppConfig, logger: StructuredLogger): Promise<Telemetry> {
  if (config.profile !== 'aws') return new LogTelemetry(logger);
  const { PowertoolsTelemetry } = await import('../../adapters/aws/powertools-telemetry.js');
  return new PowertoolsTelemetry({ serviceName: config.assistantName, namespace: config.aws.metricsNamespace });
}

/** What an entrypoint needs, resolved once. */
export interface Assistant {
  config: AppConfig;
  handleTurn: Bindings['handleTurn'];
  conversations: Bindings['conversationService'];
  skills: Bindings['skills'];
  verifier: Bindings['tokenVerifier'];
  minter: Bindings['tokenMinter'];
  readiness: Bindings['readiness'];
  synthesizer: Bindings['speechSynthesizer'];
  /** The pipeline's recognizer: the voice socket streams speech to it when it can. */
  recognizer: Bindings['speechRecognizer'];
  telemetry: Bindings['telemetry'];
  /**
   * With EVENTS=in-process, subscribes a listener in this process to the events of every turn and conversation (one
   * type, or `*` for all), delivered at least once after each turn is stored; returns the unsubscribe. Absent with
   * any other EVENTS choice.
   */
  subscribe?: InProcessEventPublisher['subscribe'];
  /** Releases clients and files (closes the database). */
  close(): Promise<void>;
}

/** Builds the container and resolves every use case an entrypoint may need, failing at start, not on a request. */
export async function composeAssistant(config: AppConfig, options: ComposeOptions): Promise<Assistant> {
  return resolveAssistant(await createContainer(config, options));
}

/** Resolves the use cases of a built container; `close` unbinds it. */
export async function resolveAssistant(container: TypedContainer<Bindings>): Promise<Assistant> {
  const [config, handleTurn, conversations, skills, verifier, minter, readiness, synthesizer, telemetry, recognizer] =
    await Promise.all([
      container.getAsync('config'),
      container.getAsync('handleTurn'),
      container.getAsync('conversationService'),
      container.getAsync('skills'),
      container.getAsync('tokenVerifier'),
      container.getAsync('tokenMinter'),
      container.getAsync('readiness'),
      container.getAsync('speechSynthesizer'),
      container.getAsync('telemetry'),
      container.getAsync('speechRecognizer'),
    ]);
  // Resolved only for the in-process bus: another transport (EventBridge) is a client a cold start need not build,
  // and the bus is recognised by its method, so the Lambda bundles do not carry the class.
  const bus = config.adapters.events === 'in-process' ? await container.getAsync('eventTransport') : null;
  return {
    config,
    handleTurn,
    conversations,
    skills,
    verifier,
    minter,
    readiness,
    synthesizer,
    recognizer,
    telemetry,
    ...(bus && 'subscribe' in bus && { subscribe: (bus as InProcessEventPublisher).subscribe.bind(bus) }),
    close: async () => {
      await container.unbindAllAsync();
    },
  };
}
