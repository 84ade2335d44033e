import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
/** The official runtime interface client's entry (aws-lambda-ric, the same code as Lambda's managed runtime). */
const RIC_ENTRY = join(dirname(require.resolve('aws-lambda-ric/package.json')), 'index.mjs');

export interface RuntimeClient {
  readonly child: ChildProcess;
  /** Everything the function wrote to stdout and stderr so far (Lambda would ship it to CloudWatch Logs). */
  output(): string;
  /** The JSON lines of the output (Powertools log lines and EMF metric documents). */
  jsonLines(): Record<string, unknown>[];
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface RuntimeClientOptions {
  node: string;
  /** The bundle directory: LAMBDA_TASK_ROOT and the working directory, as in Lambda. */
  taskRoot: string;
  runtimeApi: string;
  functionName: string;
  handler?: string;
  memoryMb?: number;
  /** The function's configuration (its environment variables). */
  env?: Record<string, string>;
}

/** Starts the runtime interface client on Node 22 in `taskRoot`, with the environment Lambda gives a function. */
export function startRuntimeClient(options: RuntimeClientOptions): RuntimeClient {
  const handler = options.handler ?? 'index.handler';
  const child = spawn(options.node, [RIC_ENTRY, handler], {
    cwd: options.taskRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      TZ: 'UTC',
      _HANDLER: handler,
      AWS_LAMBDA_RUNTIME_API: options.runtimeApi,
      AWS_LAMBDA_FUNCTION_NAME: options.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb ?? 1024),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${options.functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/30/[$LATEST]0123456789abcdef',
      LAMBDA_TASK_ROOT: options.taskRoot,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      NODE_OPTIONS: '--enable-source-maps',
      ...options.env,
    },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    jsonLines: () =>
      output.split('\n').flatMap((line) => {
        const start = line.indexOf('{');
        if (start < 0) return [];
        try {
          return [JSON.parse(line.slice(start)) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
