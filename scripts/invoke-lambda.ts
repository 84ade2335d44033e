import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLambdaRuntimeApi } from '../test/fakes/lambda/runtime-api.js';
import { startRuntimeClient } from '../test/fakes/lambda/runtime-client.js';
import { locateNode22 } from '../test/fakes/lambda/node22.js';
import { LAMBDA_FUNCTIONS, type LambdaFunctionName } from './bundle-lambda.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const usage = `usage: npx tsx scripts/invoke-lambda.ts <${Object.keys(LAMBDA_FUNCTIONS).join('|')}> <event.json>... [--timeout-ms N]`;

/**
 * Runs a bundle from dist/lambda/<function>/ the way Lambda does — aws-lambda-ric on Node 22 polling a Runtime API
 * (the test stand-in) — with this shell's environment as the function's configuration, invokes it once per event
 * file (one warm process), and prints each answer as JSON.
 */
const args = process.argv.slice(2);
const timeoutIndex = args.indexOf('--timeout-ms');
const timeoutMs = timeoutIndex >= 0 ? Number(args.splice(timeoutIndex, 2)[1]) : 30_000;
const [name, ...eventFiles] = args as [LambdaFunctionName | undefined, ...string[]];
if (!name || !(name in LAMBDA_FUNCTIONS) || eventFiles.length === 0) {
  console.error(usage);
  process.exit(2);
}
const node22 = await locateNode22();
if ('skip' in node22) {
  console.error(node22.skip);
  process.exit(1);
}
const runtimeApi = await startLambdaRuntimeApi({ functionName: name });
const env = Object.fromEntries(
  Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
);
const client = startRuntimeClient({
  node: node22.path,
  taskRoot: join(root, 'dist', 'lambda', name),
  runtimeApi: runtimeApi.address,
  functionName: name,
  env,
});
client.child.stdout?.pipe(process.stderr);
client.child.stderr?.pipe(process.stderr);
try {
  for (const file of eventFiles) {
    const event = JSON.parse(await readFile(file, 'utf8')) as unknown;
    const outcome = await Promise.race([
      runtimeApi.invoke(event, { timeoutMs }),
      runtimeApi.initError.then((error) => ({ kind: 'init-error', ...error })),
      client.exited.then((code) => ({ kind: 'exited', code })),
    ]);
    process.stdout.write(`${JSON.stringify(outcome, null, 2)}\n`);
    if (outcome.kind !== 'response') process.exitCode = 1;
  }
} finally {
  await client.stop();
  await runtimeApi.close();
}
