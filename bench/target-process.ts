import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** What a target server announces when it is ready: where to send requests, with which headers, on which paths. */
/** What the target server runs: see bench/target-server.ts. */
export type TargetMode = 'echo' | 'turn' | 'turn-memory' | 'history';

export interface Target {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  paths: string[];
  /** The server's resident set size when it became ready. */
  rssBytes?: number;
}

export interface TargetProcess {
  target: Target;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts bench/target-server.ts in its own process (so the load generator does not share its event loop) and waits
 * for its ready line. `nodeFlags` go to the server's node (e.g. a heap limit), `env` adds to its environment;
 * `compiled` runs dist/bin/bench-target.mjs (`npm run build -- --bench`) on plain node instead of the TypeScript through tsx.
 */
export async function startTarget(
  mode: TargetMode,
  conversations: number,
  options: { nodeFlags?: readonly string[]; env?: Record<string, string>; compiled?: boolean } = {},
): Promise<TargetProcess> {
  const script = options.compiled
    ? new URL('../dist/bin/bench-target.mjs', import.meta.url).pathname
    : new URL('./target-server.ts', import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeFlags ?? []),
      ...(options.compiled ? [] : ['--import', 'tsx']),
      script,
      mode,
      String(conversations),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_ENV: 'production', ...options.env },
    },
  );
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, 'line')) as [string];
  return {
    target: JSON.parse(line) as Target,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
