import { TypedContainer } from '@inversifyjs/strongly-typed';
import type { Telemetry } from '../../../core/ports/telemetry.js';
import { awsModule } from '../../composition/aws-module.js';
import type { Bindings } from '../../composition/bindings.js';
import { coreModule } from '../../composition/core-module.js';
import type { LambdaConfig } from './lambda-config.js';
import { lambdaLocalModule } from './lambda-local-module.js';
import { uncaptured, type CaptureClient } from './tracing.js';

export type LambdaContainer = TypedContainer<Bindings>;

/**
 * A function's container: the core module, the AWS module and the few local bindings a Lambda may use. It is built
 * once per cold start; SDK clients and adapters are imported and created when a binding is first resolved, each
 * client through `captureClient` (the function's tracer).
 */
export async function createLambdaContainer(
  config: LambdaConfig,
  telemetry: Telemetry,
  captureClient: CaptureClient = uncaptured,
): Promise<LambdaContainer> {
  const container = new TypedContainer<Bindings>({ defaultScope: 'Singleton' });
  container.bind('config').toConstantValue(config.app);
  container.bind('telemetry').toConstantValue(telemetry);
  await container.loadAsync(coreModule);
  await container.loadAsync(lambdaLocalModule(config.app));
  await container.loadAsync(awsModule(config.app, { captureClient }));
  return container;
}
