import { TypedContainer } from '@inversifyjs/strongly-typed';
import type { Telemetry } from '../../../core/ports/telemetry.js';
import { awsModule, type AwsBindings } from '../../aws-module.js';
import { coreModule } from '../../core-module.js';
import type { LambdaConfig } from './lambda-config.js';
import { lambdaLocalModule } from './lambda-local-module.js';

export type LambdaContainer = TypedContainer<AwsBindings>;

/**
 * A function's container: the core module, the AWS module and the few local bindings a Lambda may use. It is built
 * once per cold start; SDK clients and adapters are imported and created when a binding is first resolved.
 */
export async function createLambdaContainer(config: LambdaConfig, telemetry: Telemetry): Promise<LambdaContainer> {
  const container = new TypedContainer<AwsBindings>({ defaultScope: 'Singleton' });
  container.bind('config').toConstantValue(config.app);
  container.bind('telemetry').toConstantValue(telemetry);
  await container.loadAsync(coreModule as never);
  await container.loadAsync(lambdaLocalModule(config.app) as never);
  await container.loadAsync(awsModule(config.app));
  return container;
}
