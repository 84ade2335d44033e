import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFunction, type BundleResult, type LambdaFunctionName } from '../../../scripts/bundle-lambda.js';
import {
  startLambdaRuntimeApi,
  type InvocationOutcome,
  type InvokeOptions,
  type LambdaRuntimeApi,
} from '../../fakes/lambda/runtime-api.js';
import { startRuntimeClient, type RuntimeClient } from '../../fakes/lambda/runtime-client.js';

/** A bundle in a temporary directory, as `npm run bundle` builds it for deployment. */
export async function bundleForTest(name: LambdaFunctionName): Promise<BundleResult & { remove(): Promise<void> }> {
  const outRoot = await mkdtemp(join(tmpdir(), `lambda-${name}-`));
  const bundle = await bundleFunction(name, outRoot);
  return { ...bundle, remove: () => rm(outRoot, { recursive: true, force: true }) };
}

export interface DeployedFunction {
  runtimeApi: LambdaRuntimeApi;
  client: RuntimeClient;
  invoke(event: unknown, options?: InvokeOptions): Promise<InvocationOutcome>;
  /** The function's answer, failing the test with the function's log when it did not answer normally. */
  call<T = unknown>(event: unknown, options?: InvokeOptions): Promise<T>;
  stop(): Promise<void>;
}

/** Runs a bundle under the official runtime interface client on Node 22 against a Runtime API stand-in. */
export async function deployFunction(options: {
  node: string;
  bundle: BundleResult;
  functionName: string;
  env: Record<string, string>;
  /** `file.export` the runtime loads; default `index.handler`. */
  handler?: string;
}): Promise<DeployedFunction> {
  const runtimeApi = await startLambdaRuntimeApi({ functionName: options.functionName });
  const client = startRuntimeClient({
    node: options.node,
    taskRoot: options.bundle.outDir,
    runtimeApi: runtimeApi.address,
    functionName: options.functionName,
    env: options.env,
    ...(options.handler && { handler: options.handler }),
  });
  // A function that failed its init or died answers nothing: say so at once, with its output, instead of hanging.
  const failed = Promise.race([
    runtimeApi.initError.then((error) => `init failed: ${JSON.stringify(error)}`),
    client.exited.then((code) => `the runtime client exited (${code})`),
  ]).then((reason) => {
    throw new Error(`${reason}\n--- function output ---\n${client.output().slice(-6000)}`);
  });
  failed.catch(() => undefined);
  const invoke = (event: unknown, invokeOptions?: InvokeOptions) =>
    Promise.race([runtimeApi.invoke(event, invokeOptions), failed]);
  return {
    runtimeApi,
    client,
    invoke,
    async call<T>(event: unknown, invokeOptions?: InvokeOptions) {
      const outcome = await invoke(event, invokeOptions);
      if (outcome.kind !== 'response')
        throw new Error(
          `the function answered ${JSON.stringify(outcome)}\n--- function output ---\n${client.output().slice(-6000)}`,
        );
      return outcome.body as T;
    },
    async stop() {
      await client.stop();
      await runtimeApi.close();
    },
  };
}
