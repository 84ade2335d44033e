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
 * glibc's malloc arenas for the server, as a deployment sets them (environment). By default glibc gives each thread
 * that allocates (V8's GC and compiler workers, libuv's pool) an arena of its own, up to 8 per core, and their
 * fragments add ~10 MB of RSS over a minute of this load although nothing is retained; 2 arenas keep it flat. '' = glibc's default.
 */
const mallocArenas = process.env.LOAD_MALLOC_ARENA_MAX ?? '2';

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

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

process.stdout.write(
  `load: ${seconds}s at ${connections} connections over ${conversations} conversations, POST /v1/conversations/:id/turns on loopback, ` +
    `server heap limit ${heapMb} MB, MALLOC_ARENA_MAX ${mallocArenas || 'unset'}, server ${targetKind === 'dist' ? 'compiled (dist/, plain node; LOAD_TARGET=tsx for the tsx run)' : 'through tsx'}\n`,
);
if (targetKind === 'dist')
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--bench'], { stdio: 'inherit' });
const { target, child, stop } = await startTarget('turn', conversations, {
  nodeFlags: heapMb > 0 ? [`--max-old-space-size=${heapMb}`] : [],
  compiled: targetKind === 'dist',
  ...(mallocArenas && { env: { MALLOC_ARENA_MAX: mallocArenas } }),
});
const pid = child.pid;
if (pid === undefined) throw new Error('the target server did not start');
let peakRss = rssOf(pid) ?? 0;
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
  await stop();
}

const errors = figures.non2xx + figures.socketErrors + figures.timeouts;
const lines = [
  `connections  ${connections} opened in ${figures.connectMs.toFixed(0)} ms before the clock started`,
  `requests     ${figures.requests} in ${figures.seconds.toFixed(1)} s: ${(figures.requests / figures.seconds).toFixed(0)} req/s (2xx ${figures.ok})`,
  `errors       ${errors} (non-2xx ${figures.non2xx}, socket errors ${figures.socketErrors}, timeouts over 10 s ${figures.timeouts})`,
  `latency      p50 ${figures.latency.p50} ms, p90 ${figures.latency.p90} ms, p99 ${figures.latency.p99} ms, max ${figures.latency.max} ms`,
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
