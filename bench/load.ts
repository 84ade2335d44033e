import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runLoad, type LoadFigures } from './load-generator.js';
import { startTarget } from './target-process.js';

/**
 * Sustained load on the turn route of the real server (local adapters, SQLite store, nlp.js) in its own process on
 * loopback: many conversations, a mix of utterances, 100 connections. Reports errors, latency, throughput and the
 * server's peak RSS, and fails when any request failed or the RSS went past the documented bound.
 */
const seconds = Number(process.env.LOAD_SECONDS ?? 60);
const connections = Number(process.env.LOAD_CONNECTIONS ?? 100);
const conversations = Number(process.env.LOAD_CONVERSATIONS ?? 1000);
/** The memory bound RELIABILITY.md documents for the server under this load. */
const rssBoundMb = Number(process.env.LOAD_RSS_BOUND_MB ?? 150);
/**
 * V8's old-space limit for the server, as a deployment sets it (NODE_OPTIONS). Without one, V8 sizes the heap by the
 * allocation rate and lets garbage pile up to ~180 MB under this load although the live heap stays near 40 MB.
 */
const heapMb = Number(process.env.LOAD_HEAP_MB ?? 160);
const SAMPLE_EVERY_MS = 250;
/**
 * `dist` (default): the server compiled to plain ESM (scripts/build.ts) on plain node, as `npm start` runs it.
 * `tsx`: the TypeScript through tsx, as `npm run start:tsx` runs it; tsx's loader thread (its own V8 isolate) and
 * source maps add about 25 MB of RSS.
 */
const targetKind = process.env.LOAD_TARGET === 'tsx' ? 'tsx' : 'dist';
/**
 * How `npm start` runs the server: the environment and node flags of package.json's start script (its last command,
 * `VAR=value … node --flag … dist/bin/assistant.mjs start`), read from there so the bench starts the server as a user
 * does and cannot drift from it. Today: MALLOC_ARENA_MAX=2 (glibc gives each thread that allocates an arena of its own,
 * whose fragments added ~10 MB of RSS over a minute of this load) and --max-semi-space-size=8 (a 16 MB young generation
 * instead of 32 MB; docs/PERFORMANCE.md, third pass). LOAD_MALLOC_ARENA_MAX overrides the arenas ('' = glibc's
 * default); LOAD_NODE_FLAGS adds flags (space separated, after start's, so one may override them:
 * `--max-semi-space-size=16` is V8's default).
 */
const started = startScript();
const mallocArenas = process.env.LOAD_MALLOC_ARENA_MAX ?? started.env.MALLOC_ARENA_MAX ?? '';
const { MALLOC_ARENA_MAX: _startArenas, ...startEnv } = started.env;
const serverEnv: Record<string, string> = { ...startEnv, ...(mallocArenas && { MALLOC_ARENA_MAX: mallocArenas }) };
const serverFlags = [...started.nodeFlags, ...(process.env.LOAD_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? [])];

function startScript(): { env: Record<string, string>; nodeFlags: string[] } {
  const { scripts } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = (scripts.start ?? '').split('&&').at(-1)?.trim().split(/\s+/) ?? [];
  const env: Record<string, string> = {};
  let at = 0;
  for (; /^[A-Z_][A-Z0-9_]*=/.test(words[at] ?? ''); at += 1) {
    const [name = '', ...value] = (words[at] as string).split('=');
    env[name] = value.join('=');
  }
  if (words[at] !== 'node') throw new Error(`package.json's start script no longer runs node: ${scripts.start}`);
  const nodeFlags: string[] = [];
  for (at += 1; words[at]?.startsWith('--'); at += 1) nodeFlags.push(words[at] as string);
  return { env, nodeFlags };
}

// Only what the embedded adapters answer on their own: nothing here may reach past 127.0.0.1 (no weather lookup).
const utterances = [
  'what time is it',
  'hello',
  'play some jazz',
  'what can you do',
  "what's the date",
  'tell me a joke',
  'next song',
  'thanks',
];
const bodies = utterances.map((text) => JSON.stringify({ text }));

/** Resident set size of a process in bytes, from /proc where there is one, else from ps. */
function rssOf(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (match?.[1]) return Number(match[1]) * 1024;
  } catch {
    // No procfs (macOS): fall through to ps.
  }
  try {
    return (
      Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) * 1024 || undefined
    );
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) a process has used, in ms, from /proc; undefined without procfs. */
function cpuMsOf(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
/** Linux's USER_HZ. */
const CLOCK_TICKS_PER_SECOND = 100;

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

process.stdout.write(
  `load: ${seconds}s at ${connections} connections over ${conversations} conversations, POST /v1/conversations/:id/turns on loopback, ` +
    `server heap limit ${heapMb} MB, MALLOC_ARENA_MAX ${mallocArenas || 'unset'}, node flags ${serverFlags.join(' ') || 'none'}, server ${targetKind === 'dist' ? 'compiled (dist/, plain node; LOAD_TARGET=tsx for the tsx run)' : 'through tsx'}\n`,
);
if (targetKind === 'dist')
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--bench'], { stdio: 'inherit' });
const { target, child, stop } = await startTarget('turn', conversations, {
  nodeFlags: [...(heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : []), ...serverFlags],
  compiled: targetKind === 'dist',
  env: serverEnv,
});
const pid = child.pid;
if (pid === undefined) throw new Error('the target server did not start');
let peakRss = rssOf(pid) ?? 0;
const startCpuMs = cpuMsOf(pid);
let loadCpuMs: number | undefined;
const startRss = peakRss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, rssOf(pid) ?? 0);
}, SAMPLE_EVERY_MS);

let figures: LoadFigures;
try {
  figures = await runLoad({
    url: target.url,
    connections,
    seconds,
    headers: target.headers,
    timeoutMs: 10_000,
    request: (n) => ({
      path: target.paths[n % target.paths.length] as string,
      body: bodies[n % bodies.length] as string,
    }),
  });
} finally {
  clearInterval(sampler);
  peakRss = Math.max(peakRss, rssOf(pid) ?? 0);
  const endCpuMs = cpuMsOf(pid);
  if (startCpuMs !== undefined && endCpuMs !== undefined) loadCpuMs = endCpuMs - startCpuMs;
  await stop();
}

const errors = figures.non2xx + figures.socketErrors + figures.timeouts;
const lines = [
  `connections  ${connections} opened in ${figures.connectMs.toFixed(0)} ms before the clock started`,
  `requests     ${figures.requests} in ${figures.seconds.toFixed(1)} s: ${(figures.requests / figures.seconds).toFixed(0)} req/s (2xx ${figures.ok})`,
  `errors       ${errors} (non-2xx ${figures.non2xx}, socket errors ${figures.socketErrors}, timeouts over 10 s ${figures.timeouts})`,
  `latency      p50 ${figures.latency.p50} ms, p90 ${figures.latency.p90} ms, p99 ${figures.latency.p99} ms, max ${figures.latency.max} ms`,
  // CPU per request does not depend on what else the machine runs, as req/s does on a shared one.
  ...(loadCpuMs === undefined
    ? []
    : [
        `server CPU   ${(loadCpuMs / 1000).toFixed(1)} s, ${(loadCpuMs / Math.max(figures.requests, 1)).toFixed(3)} ms per request`,
      ]),
  `server RSS   ${mb(target.rssBytes ?? startRss)} MB when ready, peak ${mb(peakRss)} MB (bound ${rssBoundMb} MB, sampled every ${SAMPLE_EVERY_MS} ms)`,
];
process.stdout.write(`${lines.join('\n')}\n`);
const overBound = peakRss > rssBoundMb * 1024 * 1024;
if (errors > 0 || overBound) {
  process.stdout.write(
    `FAILED: ${errors > 0 ? `${errors} failed requests` : ''}${errors > 0 && overBound ? '; ' : ''}${overBound ? 'peak RSS over the bound' : ''}\n`,
  );
  process.exitCode = 1;
}
