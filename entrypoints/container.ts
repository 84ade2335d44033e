import { TypedContainer } from '@inversifyjs/strongly-typed';
import { LogTelemetry, type StructuredLogger } from '../adapters/local/log-telemetry.js';
import { CachingLanguageModel } from '../adapters/local/caching-language-model.js';
import type { Cache } from '../core/ports/cache.js';
import type { Telemetry } from '../core/ports/telemetry.js';
import type { Bindings } from './bindings.js';
import { usesAwsAdapters, type AppConfig } from './config/config.js';
import { coreModule } from './core-module.js';
import { cacheErrorReporter, localModule, type LocalBindings } from './local-module.js';

export interface ComposeOptions {
  logger: StructuredLogger;
  /** Replace bindings after the modules load (tests, per-port overrides). */
  override?: (container: TypedContainer<LocalBindings>) => void | Promise<void>;
}

/** The container for a profile: the core module plus the adapters module the profile names. */
export async function createContainer(config: AppConfig, options: ComposeOptions): Promise<TypedContainer<LocalBindings>> {
  const container = new TypedContainer<LocalBindings>({ defaultScope: 'Singleton' });
  container.bind('config').toConstantValue(config);
  container.bind('telemetry').toConstantValue(await telemetryFor(config, options.logger));
  await container.loadAsync(coreModule as never);
  await container.loadAsync(localModule(config));
  if (usesAwsAdapters(config)) {
    // Loaded only when needed, so the embedded default never loads an AWS SDK.
    const { awsModule } = await import('./aws-module.js');
    await container.loadAsync(awsModule(config) as never);
  }
  if (config.cache.llmSeconds > 0) {
    // Identical prompts within the TTL reuse the answer, whichever module bound the model.
    container.onActivation('languageModel', async (context, inner) =>
      new CachingLanguageModel({
        inner,
        cache: await context.getAsync<Cache>('cache'),
        ttlSeconds: config.cache.llmSeconds,
        namespace: `${config.adapters.llm}:${config.adapters.llm === 'bedrock' ? config.aws.bedrock.modelId : config.llm.model}`,
        onCacheError: cacheErrorReporter(await context.getAsync<Telemetry>('telemetry')),
      }),
    );
  }
  await options.override?.(container);
  return container;
}

/** Powertools (CloudWatch EMF metrics, X-Ray spans) on AWS; structured log lines locally. */
async function telemetryFor(config: AppConfig, logger: StructuredLogger): Promise<Telemetry> {
  if (config.profile !== 'aws') return new LogTelemetry(logger);
  const { PowertoolsTelemetry } = await import('../adapters/aws/powertools-telemetry.js');
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
  telemetry: Bindings['telemetry'];
  /** Releases clients and files (closes the database). */
  close(): Promise<void>;
}

/** Builds the container and resolves every use case an entrypoint may need, failing at start, not on a request. */
export async function composeAssistant(config: AppConfig, options: ComposeOptions): Promise<Assistant> {
  const container = await createContainer(config, options);
  const [handleTurn, conversations, skills, verifier, minter, readiness, synthesizer, telemetry] = await Promise.all([
    container.getAsync('handleTurn'),
    container.getAsync('conversationService'),
    container.getAsync('skills'),
    container.getAsync('tokenVerifier'),
    container.getAsync('tokenMinter'),
    container.getAsync('readiness'),
    container.getAsync('speechSynthesizer'),
    container.getAsync('telemetry'),
  ]);
  return {
    config, handleTurn, conversations, skills, verifier, minter, readiness, synthesizer, telemetry,
    close: async () => {
      await container.unbindAllAsync();
    },
  };
}
