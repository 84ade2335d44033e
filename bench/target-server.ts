import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { loadConfig } from '../entrypoints/composition/config.js';
import { createLocalTokenAuthority } from '../entrypoints/composition/local-module.js';
import { createLogger } from '../entrypoints/composition/logger.js';
import { startServer } from '../entrypoints/http/server.js';
import type { Target, TargetMode } from './target-process.js';

/**
 * A server under load, run in its own process so the load generator does not share its event loop.
 * Prints one JSON line `{ url, method, headers, paths }` when ready and stops on SIGTERM.
 *
 * Modes: `echo` (bare Fastify), `turn` (POST a turn, default SQLite store), `turn-memory` (the same on the memory store),
 * `history` (authenticated GET of 10 stored turns, SQLite store).
 */
const mode = process.argv[2] as TargetMode | undefined;
const conversations = Number(process.argv[3] ?? 10);
/** Turns each conversation holds before a history run: 5 exchanges, so a page of 10 items. */
const HISTORY_EXCHANGES = 5;

if (mode === 'echo') {
  const app = Fastify({ logger: false });
  app.post('/echo', async (request) => request.body);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  await ready({ url, method: 'POST', headers: {}, paths: ['/echo'] }, () => app.close());
} else if (mode === 'turn' || mode === 'turn-memory' || mode === 'history') {
  const dataDir = await mkdtemp(join(tmpdir(), 'assistant-bench-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'silent',
    // The limiter stays on (its cost is part of a request) with a ceiling no run reaches; BENCH_RATE_LIMIT_MAX=0 turns it off.
    RATE_LIMIT_MAX: process.env.BENCH_RATE_LIMIT_MAX ?? '1000000',
    TTS: 'none',
    ...(mode === 'turn-memory' && { CONVERSATION_STORE: 'memory' }),
  });
  const server = await startServer(config, createLogger('silent'));
  const token = await (await createLocalTokenAuthority(config)).mint({ userId: 'bench', ttlSeconds: 3600 });
  const headers = { authorization: `Bearer ${token}` };
  // Seeded through the use cases in process, not over HTTP: an HTTP client (undici) in the measured process would
  // count its own memory and garbage against the server.
  const ids: string[] = [];
  for (let i = 0; i < conversations; i += 1) ids.push((await server.assistant.conversations.create('bench')).id);
  if (mode === 'history') {
    for (const conversationId of ids) {
      for (let i = 0; i < HISTORY_EXCHANGES; i += 1) {
        await server.assistant.handleTurn({
          userId: 'bench',
          conversationId,
          input: { kind: 'text', text: 'what time is it' },
        });
      }
    }
  }
  const paths = ids.map((id) =>
    mode === 'history'
      ? `/v1/conversations/${id}/turns?limit=${HISTORY_EXCHANGES * 2}`
      : `/v1/conversations/${id}/turns`,
  );
  await ready({ url: server.url, method: mode === 'history' ? 'GET' : 'POST', headers, paths }, async () => {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  });
} else {
  process.stderr.write('usage: target-server.ts echo|turn|turn-memory|history [conversations]\n');
  process.exit(2);
}

async function ready(target: Target, close: () => Promise<unknown>) {
  const profile = await startProfiling(process.env.BENCH_CPU_PROFILE);
  if (process.env.BENCH_MEMORY_LOG) {
    // Where the RSS goes while loaded: the V8 heap (used / committed), memory outside it, and the RSS, every 2 s.
    const mb = (bytes: number) => (bytes / 1048576).toFixed(1);
    setInterval(() => {
      const m = process.memoryUsage();
      const kinds = /RssAnon:\s+(\d+)[\s\S]*RssFile:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
      const split = kinds ? ` (anonymous ${mb(Number(kinds[1]) * 1024)}, files ${mb(Number(kinds[2]) * 1024)})` : '';
      process.stderr.write(
        `memory: rss ${mb(m.rss)}${split} heap used ${mb(m.heapUsed)} committed ${mb(m.heapTotal)} external ${mb(m.external)} MB\n`,
      );
    }, 2000).unref();
  }
  process.stdout.write(`${JSON.stringify({ ...target, rssBytes: process.memoryUsage().rss })}\n`);
  process.once('SIGTERM', () => {
    void profile()
      .then(close)
      .finally(() => process.exit(0));
  });
}

/** With BENCH_CPU_PROFILE=<file>, samples the CPU from ready to SIGTERM (not the start-up) and writes a .cpuprofile there. */
async function startProfiling(file: string | undefined): Promise<() => Promise<void>> {
  if (!file) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(file, JSON.stringify(profile));
    session.disconnect();
  };
}
