import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.js';

export type RedisServer = { url: string; stop(): Promise<void> } | { skipped: string };

const READY_WITHIN_MS = 10_000;
const STOP_WITHIN_MS = 5_000;

/**
 * A real Redis for the tests: the one `REDIS_URL` names when set (CI may provide a service), otherwise a throwaway
 * `redis-server` started here on a loopback port with persistence off, otherwise a reason to skip.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const given = process.env['REDIS_URL'];
  if (given) return { url: given, stop: async () => undefined };
  const binary = onPath('redis-server');
  if (!binary) return { skipped: 'no REDIS_URL and no redis-server on PATH (apt-get install redis-server)' };
  const port = await freePort();
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'],
    // Redis logs to stdout; stderr stays unread, so it is not piped at all.
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  try {
    await ready(child);
  } catch (error) {
    await stop(child);
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, stop: () => stop(child) };
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory; keep looking.
    }
  }
  return undefined;
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`redis-server not ready within ${READY_WITHIN_MS} ms: ${output}`)),
      READY_WITHIN_MS,
    );
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4_000);
      if (output.includes('Ready to accept connections')) finish();
    };
    const onExit = (code: number | null) =>
      fail(new Error(`redis-server exited (${code}) before it was ready: ${output}`));
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', fail);
    };
    function finish() {
      cleanup();
      // Keeps draining the log so a chatty server can never block on a full pipe.
      child.stdout?.resume();
      resolve();
    }
    function fail(error: Error) {
      cleanup();
      reject(error);
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', fail);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_WITHIN_MS);
  await gone;
  clearTimeout(timer);
}
