import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Hs256TokenAuthority } from '../adapters/local/hs256-token-authority.js';
import { bundleFunction, ENTRY_FILE } from '../scripts/bundle-lambda.js';
import { restApiEvent } from '../test/fakes/lambda/api-gateway-events.js';
import { locateNode22 } from '../test/fakes/lambda/node22.js';

/** The targets of the issue: what a cold start may cost here, and how big the entry file may be. */
const TARGET_MS = 120;
const TARGET_ENTRY_BYTES = 800 * 1024;
const RUNS = Number(process.env.COLD_START_RUNS ?? 11);
const SECRET = 'cold-start-bench-secret-of-32-characters!';

/*
 * Run in a fresh process per sample: import the handler module (what Lambda's init does), then invoke it once with a
 * synthetic API Gateway event (the first request). Times are taken inside the process, so process start-up, which
 * Lambda pays for any function, is left out of both the bundle's and the bare handler's figure.
 */
export const PROBE = `
const [modulePath, eventPath] = process.argv.slice(2);
const event = JSON.parse(await (await import('node:fs/promises')).readFile(eventPath, 'utf8'));
const context = { functionName: 'bench', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
  memoryLimitInMB: '1024', awsRequestId: 'bench-1', logGroupName: '/aws/lambda/bench', logStreamName: 's', callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30000, done() {}, fail() {}, succeed() {} };
const cpu0 = process.cpuUsage();
// The CPU time at each of the handler's marks too: on a shared machine each phase's CPU varies far less than its wall.
const cpuAt = {};
const mark = performance.mark.bind(performance);
performance.mark = (name, options) => { const c = process.cpuUsage(cpu0); cpuAt[name] = (c.user + c.system) / 1000; return mark(name, options); };
const t0 = performance.now();
const { handler } = await import(modulePath);
const t1 = performance.now();
const result = await handler(event, context);
const t2 = performance.now();
const cpu = process.cpuUsage(cpu0);
const phases = {};
const cpuPhases = {};
let previous = t0;
let previousCpu = 0;
for (const mark of performance.getEntriesByType('mark')) {
  phases[mark.name] = mark.startTime - previous; previous = mark.startTime;
  cpuPhases[mark.name] = cpuAt[mark.name] - previousCpu; previousCpu = cpuAt[mark.name];
}
process.stdout.write('\\nCOLD-START ' + JSON.stringify({ importMs: t1 - t0, invokeMs: t2 - t1, cpuMs: (cpu.user + cpu.system) / 1000, status: result.statusCode, phases, cpuPhases }) + '\\n');
`;
const BARE = `export const handler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' });\n`;

export interface Sample {
  importMs: number;
  invokeMs: number;
  /** CPU time of the same span: what a busy machine inflates least. */
  cpuMs: number;
  status: number;
  /** Time since the previous mark (the first: since the import began), per User Timing mark the handler sets. */
  phases: Record<string, number>;
  /** CPU time since the previous mark, per mark. */
  cpuPhases: Record<string, number>;
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export async function sample(
  node: string,
  probe: string,
  modulePath: string,
  eventPath: string,
  env: Record<string, string>,
): Promise<Sample> {
  const { stdout } = await promisify(execFile)(node, [probe, modulePath, eventPath], {
    env,
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('COLD-START '));
  if (!line) throw new Error(`no measurement in the probe's output:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice('COLD-START '.length)) as Sample;
}

/** Import + first invoke of the API bundle against a bare handler, in fresh processes, on Node 20 and Node 22. */
export async function runColdStartBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'cold-start-'));
  try {
    const bundle = await bundleFunction('api', join(dir, 'dist'));
    const probe = join(dir, 'probe.mjs');
    const bare = join(dir, 'bare.mjs');
    const eventPath = join(dir, 'event.json');
    const validatedEventPath = join(dir, 'validated-event.json');
    const validEventPath = join(dir, 'valid-event.json');
    const token = await new Hs256TokenAuthority({
      secret: SECRET,
      issuer: 'voice-assistant-local',
      audience: 'voice-assistant',
    }).mint({ userId: 'bench', ttlSeconds: 3600 });
    await writeFile(probe, PROBE);
    await writeFile(bare, BARE);
    // An authenticated route that touches no AWS service: the cold start measured is the function's own.
    await writeFile(
      eventPath,
      JSON.stringify(restApiEvent({ method: 'GET', url: '/v1/skills', headers: { authorization: `Bearer ${token}` } })),
    );
    // A first request whose input is validated (an id the schema refuses, so no AWS service is called either): the
    // Lambda API loads TypeBox on the first validation, so this shows what a cold start that begins with one costs.
    await writeFile(
      validatedEventPath,
      JSON.stringify(
        restApiEvent({
          method: 'GET',
          url: '/v1/conversations/not%20an%20id',
          headers: { authorization: `Bearer ${token}` },
        }),
      ),
    );
    // A first request whose input is valid (params, headers and body all checked: a turn in a format no decoder takes,
    // refused with 415 before the store is reached): the Lambda API checks it with the route checks generated when the
    // bundle was built, without loading TypeBox.
    await writeFile(
      validEventPath,
      JSON.stringify(
        restApiEvent({
          method: 'POST',
          url: '/v1/conversations/c_1/turns',
          headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'bench-1' },
          body: { audio: { data: 'AAAA', format: 'flac' } },
        }),
      ),
    );
    const env = {
      PATH: process.env.PATH ?? '',
      TZ: 'UTC',
      NODE_ENV: 'production',
      AWS_LAMBDA_FUNCTION_NAME: 'bench',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench',
      ASSISTANT_PROFILE: 'aws',
      AUTH: 'local',
      AUTH_SECRET: SECRET,
      LOG_LEVEL: 'warn',
      POWERTOOLS_TRACE_ENABLED: 'false',
    };
    const node22 = await locateNode22();
    const runtimes: [string, string][] = [[`node ${process.versions.node}`, process.execPath]];
    if ('path' in node22) runtimes.push([`node ${node22.version}`, node22.path]);
    else process.stdout.write(`cold start: Node 22 skipped (${node22.skip})\n`);

    const load = loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    process.stdout.write(
      `cold start: import + first invoke (GET /v1/skills, REST API event), fresh process per run, median of ${RUNS}; load average ${load}\n`,
    );
    let worst = 0;
    for (const [label, node] of runtimes) {
      const bareRuns: Sample[] = [];
      const apiRuns: Sample[] = [];
      const mappedRuns: Sample[] = [];
      const validatedRuns: Sample[] = [];
      const validRuns: Sample[] = [];
      const entry = join(bundle.outDir, ENTRY_FILE);
      // Interleaved, so a busy moment of the machine weighs on all alike. The third subject is the same bundle with
      // source maps on, as the template's SourceMaps=enabled deploys it: what readable stack traces cost a cold start.
      for (let run = 0; run < RUNS; run += 1) {
        bareRuns.push(await sample(node, probe, bare, eventPath, env));
        apiRuns.push(await sample(node, probe, entry, eventPath, env));
        mappedRuns.push(await sample(node, probe, entry, eventPath, { ...env, NODE_OPTIONS: '--enable-source-maps' }));
        validatedRuns.push(await sample(node, probe, entry, validatedEventPath, env));
        validRuns.push(await sample(node, probe, entry, validEventPath, env));
      }
      if ([...apiRuns, ...mappedRuns].some((s) => s.status !== 200))
        throw new Error(`the API bundle answered ${apiRuns.map((s) => s.status).join(',')}`);
      if (validatedRuns.some((s) => s.status !== 400))
        throw new Error(`the API bundle answered ${validatedRuns.map((s) => s.status).join(',')} to a refused id`);
      if (validRuns.some((s) => s.status !== 415))
        throw new Error(`the API bundle answered ${validRuns.map((s) => s.status).join(',')} to a valid turn in flac`);
      const total = (s: Sample) => s.importMs + s.invokeMs;
      const [b, a] = [median(bareRuns.map(total)), median(apiRuns.map(total))];
      worst = Math.max(worst, a);
      process.stdout.write(
        `  ${label.padEnd(14)} bare handler ${b.toFixed(1).padStart(6)} ms   API bundle ${a.toFixed(1).padStart(6)} ms ` +
          `(import ${median(apiRuns.map((s) => s.importMs)).toFixed(1)} + first invoke ${median(apiRuns.map((s) => s.invokeMs)).toFixed(1)})   ` +
          `difference ${(a - b).toFixed(1)} ms; CPU ${median(apiRuns.map((s) => s.cpuMs)).toFixed(1)} ms\n`,
      );
      const mapped = median(mappedRuns.map(total));
      process.stdout.write(
        `  ${''.padEnd(14)} with --enable-source-maps (SourceMaps=enabled) ${mapped.toFixed(1)} ms: +${(mapped - a).toFixed(1)} ms; ` +
          `CPU ${median(mappedRuns.map((s) => s.cpuMs)).toFixed(1)} ms\n`,
      );
      const firstRequest = (what: string, runs: Sample[]) => {
        const ms = median(runs.map(total));
        process.stdout.write(
          `  ${''.padEnd(14)} first request ${what} ${ms.toFixed(1)} ms: ` +
            `${ms >= a ? '+' : ''}${(ms - a).toFixed(1)} ms; CPU ${median(runs.map((s) => s.cpuMs)).toFixed(1)} ms\n`,
        );
      };
      firstRequest('validated (GET /v1/conversations/{refused id}: 400)', validatedRuns);
      firstRequest('valid, validated (POST /v1/conversations/{id}/turns, flac audio: 415)', validRuns);
      // The handler marks the end of each step of its init (api:<step>): the medians show where the import goes.
      const marks = Object.keys(apiRuns[0]?.phases ?? {});
      const steps = marks.map(
        (mark) => `${mark.replace(/^api:/, '')} ${median(apiRuns.map((s) => s.phases[mark] ?? 0)).toFixed(1)}`,
      );
      const cpuSteps = marks.map(
        (mark) => `${mark.replace(/^api:/, '')} ${median(apiRuns.map((s) => s.cpuPhases[mark] ?? 0)).toFixed(1)}`,
      );
      if (steps.length > 0)
        process.stdout.write(
          `  ${''.padEnd(14)} import phases (median ms, each since the previous mark): ${steps.join(', ')}\n` +
            `  ${''.padEnd(14)} their CPU (median ms): ${cpuSteps.join(', ')}\n`,
        );
    }
    const entryKb = bundle.entryBytes / 1024;
    process.stdout.write(
      `  target import + first invoke <= ${TARGET_MS} ms: ${worst <= TARGET_MS ? 'met' : 'MISSED'} (slowest runtime ${worst.toFixed(1)} ms)\n`,
    );
    process.stdout.write(
      `  API bundle size: entry ${entryKb.toFixed(1)} KB (target <= ${TARGET_ENTRY_BYTES / 1024} KB: ${bundle.entryBytes <= TARGET_ENTRY_BYTES ? 'met' : 'MISSED'}), ` +
        `${(bundle.totalBytes / 1024).toFixed(1)} KB with the lazily loaded chunks, minified\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await runColdStartBench();
