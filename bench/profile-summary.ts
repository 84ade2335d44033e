import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of a V8 .cpuprofile (Chrome DevTools format) the summary reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  /** `name (file:line)`; V8's pseudo-frames keep their names: (garbage collector), (program). */
  fn: string;
  ms: number;
  /** Share of the busy time: every sample but (idle). */
  share: number;
}

/** Self time per function (summed over every call-tree node of that function), busiest first; (idle) excluded. */
export function selfTimes(
  profile: CpuProfile,
  root = process.cwd(),
): { busyMs: number; idleMs: number; functions: SelfTime[] } {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i += 1) {
    // The delta before the next sample is the time spent where this sample landed.
    const us = profile.timeDeltas[i + 1] ?? 0;
    const node = nodes.get(profile.samples[i] as number);
    if (!node) continue;
    const key = label(node.callFrame, root);
    if (key === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const functions = [...byFunction]
    .map(([fn, us]) => ({ fn, ms: us / 1000, share: busy > 0 ? us / busy : 0 }))
    .sort((a, b) => b.ms - a.ms);
  return { busyMs: busy / 1000, idleMs: idle / 1000, functions };
}

function label(frame: CpuProfile['nodes'][number]['callFrame'], root: string): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  let file = frame.url.startsWith('file://') ? fileURLToPath(frame.url) : frame.url;
  const modules = file.lastIndexOf('node_modules/');
  file =
    modules >= 0 ? file.slice(modules + 'node_modules/'.length) : file.startsWith('/') ? relative(root, file) : file;
  return `${name} (${file}:${frame.lineNumber + 1})`;
}

/** A printable table of the `top` busiest functions. */
export function formatSelfTimes(title: string, summary: ReturnType<typeof selfTimes>, top = 15): string {
  const lines = [
    `${title}: busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms; top ${top} by self time`,
  ];
  summary.functions.slice(0, top).forEach((f, i) => {
    lines.push(
      `${String(i + 1).padStart(3)}. ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(6)} ms  ${f.fn}`,
    );
  });
  return lines.join('\n');
}

// `tsx bench/profile-summary.ts <file.cpuprofile> [top]`
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${formatSelfTimes(file, selfTimes(profile), Number(process.argv[3] ?? 15))}\n`);
}
