import { TypedContainer } from '@inversifyjs/strongly-typed';
import { LogTelemetry, type StructuredLogger } from '../adapters/local/log-telemetry.js';
import type { Bindings } from './bindings.js';
import { ConfigError, type AppConfig } from './config/config.js';
import { coreModule } from './core-module.js';
import { localModule, type LocalBindings } from './local-module.js';

export interface ComposeOptions {
  logger: StructuredLogger;
  /** Replace bindings after the modules load (tests, per-port overrides). */
  override?: (container: TypedContainer<LocalBindings>) => void | Promise<void>;
}

/** The container for a profile: the core module plus the adapters module the profile names. */
export async function createContainer(config: AppConfig, options: ComposeOptions): Promise<TypedContainer<LocalBindings>> {
  const container = new TypedContainer<LocalBindings>({ defaultScope: 'Singleton' });
  container.bind('config').toConstantValue(config);
  container.bind('telemetry').toConstantValue(new LogTelemetry(options.logger));
  await container.loadAsync(coreModule as never);
  if (config.profile === 'aws') {
    throw new ConfigError(['ASSISTANT_PROFILE=aws: the AWS adapters module is not part of this build yet; use ASSISTANT_PROFILE=local']);
  }
  await container.loadAsync(localModule);
  await options.override?.(container);
  return container;
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
  /** Releases clients and files (closes the database). */
  close(): Promise<void>;
}

/** Builds the container and resolves every use case an entrypoint may need, failing at start, not on a request. */
export async function composeAssistant(config: AppConfig, options: ComposeOptions): Promise<Assistant> {
  const container = await createContainer(config, options);
  const [handleTurn, conversations, skills, verifier, minter, readiness, synthesizer] = await Promise.all([
    container.getAsync('handleTurn'),
    container.getAsync('conversationService'),
    container.getAsync('skills'),
    container.getAsync('tokenVerifier'),
    container.getAsync('tokenMinter'),
    container.getAsync('readiness'),
    container.getAsync('speechSynthesizer'),
  ]);
  return {
    config, handleTurn, conversations, skills, verifier, minter, readiness, synthesizer,
    close: async () => {
      await container.unbindAll();
    },
  };
}
