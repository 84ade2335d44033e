import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { httpLoad } from './http-load.js';
import { formatSelfTimes, selfTimes, type CpuProfile } from './profile-summary.js';
import { startTarget, type TargetMode } from './target-process.js';

/**
 * CPU profile of a target server under the bench's load, only while the load runs (the server starts V8's sampling
 * profiler through node:inspector once ready and writes the .cpuprofile when stopped), then the busiest functions by
 * self time. `npm run bench:profile -- turn history` (default: turn history); PROFILE_SECONDS, PROFILE_TOP.
 * The .cpuprofile files stay in .data/profiles for DevTools or speedscope.
 */
const modes = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['turn', 'history']) as TargetMode[];
const seconds = Number(process.env.PROFILE_SECONDS ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const top = Number(process.env.PROFILE_TOP ?? 15);
const dir = resolve('.data/profiles');
mkdirSync(dir, { recursive: true });

for (const mode of modes) {
  const file = join(dir, `${mode}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
  const { target, stop } = await startTarget(mode, connections, { env: { BENCH_CPU_PROFILE: file } });
  let rps: number;
  try {
    rps = (await httpLoad(target, { seconds, connections })).rps;
  } finally {
    await stop();
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(
    `${formatSelfTimes(`${mode} (${rps.toFixed(0)} req/s while profiled) ${file}`, selfTimes(profile), top)}\n\n`,
  );
}
