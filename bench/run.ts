import { readFileSync } from 'node:fs';
import { loadConfig } from '../entrypoints/composition/config.js';
import { composeAssistant, type Assistant } from '../entrypoints/composition/container.js';
import { createLogger } from '../entrypoints/composition/logger.js';
import { httpLoad, type HttpFigures } from './http-load.js';
import { startTarget, type TargetMode, type TargetProcess } from './target-process.js';

/**
 * Throughput of the API's hot routes against a bare Fastify echo route measured in the same run on the same machine,
 * so the ratio says what the assistant costs whatever else the machine is doing. Each server runs in its own process
 * (all started first, idle when not loaded); the load generator and the in-process core run here.
 *
 * A shared machine's speed drifts within seconds, so the runs are interleaved: each round gives every subject one
 * slice and the echo one slice before each of them, and a subject's ratio is its rate over the echo's rate across all
 * rounds. BENCH_SECONDS is each subject's total measured time (default 6 s), BENCH_ROUNDS how many slices it is cut
 * into (default 3).
 *
 * When the machine is busy the load generator, not the server, can set the echo's pace, which flatters every ratio.
 * So each row also shows the server process's CPU time per request (user + system, from /proc; Linux only) and the
 * ratio of the echo's to it: what a request costs the server, whatever the load generator manages.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 6);
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const slice = seconds / rounds;
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const conversations = Number(process.env.BENCH_CONVERSATIONS ?? connections);
/** BENCH_ONLY=http,cold-start,voice,nlu (any of them) runs only those parts; all by default. */
const PARTS = ['http', 'cold-start', 'voice', 'nlu'];
const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !PARTS.includes(name)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(`BENCH_ONLY: unknown part ${unknown.join(', ')}; the parts are ${PARTS.join(', ')}\n`);
  process.exit(2);
}
const part = (name: string) => !only || only.includes(name);

/** Targets of the performance issue: a share of the bare echo, or turns per second in process. */
const TARGETS = {
  turnSqlite: 0.15,
  history: 0.35,
  coreTurnsPerSecond: 13_000,
  /** The bare echo the issue measured 13,000 core turns/s against: the same target as a share of bare on any machine. */
  referenceEcho: 32_700,
};

interface Tally {
  count: number;
  seconds: number;
  p99: number;
  errors: number;
  /** CPU milliseconds the server (or, in process, the turns) used for `count`. */
  cpuMs: number;
}
const tally = (): Tally => ({ count: 0, seconds: 0, p99: 0, errors: 0, cpuMs: 0 });
const rate = (t: Tally) => (t.seconds > 0 ? t.count / t.seconds : 0);
/** Microseconds of CPU per request. */
const cpuPer = (t: Tally) => (t.count > 0 ? (t.cpuMs * 1000) / t.count : Number.NaN);

const TICK_MS = 10; // USER_HZ is 100 on Linux
/** CPU time of a process so far (user + system, every thread), in milliseconds; NaN where /proc is missing. */
function cpuMsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return Number.NaN;
  }
}

function add(into: Tally, f: HttpFigures, duration: number, cpuMs: number) {
  into.count += f.rps * duration;
  into.seconds += duration;
  into.p99 = Math.max(into.p99, f.p99);
  into.errors += f.errors;
  into.cpuMs += cpuMs;
}

/** Turns in this process for `duration` seconds, one after another, on the memory store. */
async function coreSlice(
  assistant: Assistant,
  into: Tally,
  duration: number,
  state: { conversationId: string; turns: number },
) {
  const durations: number[] = [];
  const deadline = performance.now() + duration * 1000;
  while (performance.now() < deadline) {
    // A fresh conversation every 500 turns keeps the stored history realistic.
    if (state.turns % 500 === 499) state.conversationId = (await assistant.conversations.create('bench')).id;
    state.turns += 1;
    const t0 = performance.now();
    await assistant.handleTurn({
      userId: 'bench',
      conversationId: state.conversationId,
      input: { kind: 'text', text: 'what time is it' },
    });
    durations.push(performance.now() - t0);
  }
  durations.sort((a, b) => a - b);
  into.count += durations.length;
  into.seconds += durations.reduce((sum, d) => sum + d, 0) / 1000;
  into.cpuMs += durations.reduce((sum, d) => sum + d, 0);
  into.p99 = Math.max(into.p99, durations[Math.floor(durations.length * 0.99)] ?? 0);
}

const modes = ['turn', 'turn-memory', 'history'] as const satisfies readonly TargetMode[];
if (part('http')) {
  process.stdout.write(
    `bench: ${seconds}s per subject in ${rounds} interleaved rounds, ${connections} connections on loopback, servers in their own process\n`,
  );
  const targets = new Map<TargetMode, TargetProcess>();
  const assistant = await composeAssistant(
    loadConfig({ LOG_LEVEL: 'silent', CONVERSATION_STORE: 'memory', TTS: 'none', DATA_DIR: '.data/bench' }),
    {
      logger: createLogger('silent'),
    },
  );
  try {
    for (const [mode, target] of await Promise.all(
      (['echo', ...modes] as const).map(async (m) => [m, await startTarget(m, conversations)] as const),
    )) {
      targets.set(mode, target);
    }
    const load = (mode: TargetMode, duration: number) =>
      httpLoad(targets.get(mode)!.target, { seconds: duration, connections });
    const measure = async (mode: TargetMode, into: Tally) => {
      const pid = targets.get(mode)!.child.pid;
      const cpu0 = cpuMsOf(pid);
      const figures = await load(mode, slice);
      add(into, figures, slice, cpuMsOf(pid) - cpu0);
    };
    const core = { conversationId: (await assistant.conversations.create('bench')).id, turns: 0 };
    // Warm-up, not counted: the JIT and the connections of every subject.
    for (const mode of ['echo', ...modes] as const) await load(mode, 1);
    await coreSlice(assistant, tally(), 1, core);

    const echo = tally();
    const measured = new Map<string, Tally>([...modes, 'core'].map((m) => [m, tally()]));
    for (let round = 0; round < rounds; round += 1) {
      for (const subject of [...modes, 'core'] as const) {
        await measure('echo', echo);
        if (subject === 'core') await coreSlice(assistant, measured.get('core')!, slice, core);
        else await measure(subject, measured.get(subject)!);
      }
    }

    const bare = rate(echo);
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    const row = (name: string, t: Tally, unit: string, target?: number) =>
      [
        name.padEnd(42),
        `${rate(t).toFixed(0)} ${unit}`.padStart(14),
        `p99 ${t.p99.toFixed(unit === 'req/s' ? 0 : 2)} ms`.padStart(13),
        (rate(t) / bare).toFixed(3).padStart(6),
        target === undefined ? ''.padEnd(19) : `target >= ${target.toFixed(2)} ${verdict(rate(t) / bare >= target)}`,
        `${cpuPer(t).toFixed(0).padStart(5)} us CPU/req`,
        (cpuPer(echo) / cpuPer(t)).toFixed(3).padStart(6),
        target === undefined ? '' : verdict(cpuPer(echo) / cpuPer(t) >= target),
        t.errors > 0 ? `ERRORS ${t.errors}` : '',
      ]
        .join('  ')
        .trimEnd();
    const coreTally = measured.get('core')!;
    const coreTarget = TARGETS.coreTurnsPerSecond / TARGETS.referenceEcho;
    const lines = [
      `${''.padEnd(42)}  ${'throughput'.padStart(14)}  ${'latency'.padStart(13)}  x bare  target (same run)     server CPU       x bare by CPU`,
      row('(a) bare Fastify echo (baseline)', echo, 'req/s'),
      row('(b) POST turn, SQLite store (default)', measured.get('turn')!, 'req/s', TARGETS.turnSqlite),
      row('(c) POST turn, memory store', measured.get('turn-memory')!, 'req/s'),
      row('(d) GET history, 10 items, authenticated', measured.get('history')!, 'req/s', TARGETS.history),
      `${row('(e) core in process, memory store', coreTally, 'turns/s', coreTarget)}; ` +
        `${TARGETS.coreTurnsPerSecond} turns/s absolute ${verdict(rate(coreTally) >= TARGETS.coreTurnsPerSecond)} (measured against a ${TARGETS.referenceEcho} req/s echo)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if ([echo, ...measured.values()].some((t) => t.errors > 0)) process.exitCode = 1;
  } finally {
    await Promise.all([...targets.values()].map((t) => t.stop()));
    await assistant.close();
  }
}
if (part('cold-start')) await (await import('./cold-start.js')).runColdStartBench();
if (part('voice')) await (await import('./voice.js')).runVoiceBench();
if (part('nlu')) await (await import('./nlu.js')).runNluBench();
