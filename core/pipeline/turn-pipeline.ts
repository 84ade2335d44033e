import { throwIfAborted, VersionConflictError } from '../errors.js';
import type { StepName, TurnRecord, TurnReply, TurnRequest } from '../model/turn.js';
import { analyseSentiment } from './analyse-sentiment.js';
import { keepsReplyAfterConflict, rebaseReply } from './conflict.js';
import { decide } from './decide.js';
import { KeyedMutex } from './keyed-mutex.js';
import { load } from './load.js';
import { persist } from './persist.js';
import { publish } from './publish.js';
import { respond } from './respond.js';
import { signalOption } from './step-support.js';
import { synthesize } from './synthesize.js';
import { transcribe } from './transcribe.js';
import { releaseAudio, spokenAudio } from './turn-audio.js';
import type { TurnDeps } from './turn-deps.js';
import { startTurn } from './turn-record.js';
import { buildReply } from './turn-reply.js';
import { understand } from './understand.js';

export type HandleTurn = (request: TurnRequest) => Promise<TurnReply>;
type Steps = ReadonlyArray<readonly [StepName, (turn: TurnRecord, deps: TurnDeps) => Promise<TurnRecord>]>;

const HEAR: Steps = [['transcribe', transcribe], ['sentiment', analyseSentiment]];
const ANSWER: Steps = [['understand', understand], ['decide', decide], ['respond', respond]];
const DELIVER: Steps = [['synthesize', synthesize], ['publish', publish]];

/** Builds the in-process turn runner: the steps of one turn in sequence, one turn per conversation at a time. */
export function createTurnPipeline(deps: Omit<TurnDeps, 'signal'>): HandleTurn {
  const mutex = new KeyedMutex();
  return (request) => mutex.run(request.conversationId, () => runTurn({ ...deps, ...signalOption(request.signal) }, request));
}

async function runTurn(deps: TurnDeps, request: TurnRequest): Promise<TurnReply> {
  const started = deps.clock.monotonicMs();
  let turn = await runStep('load', load, await startTurn(request, deps), deps);
  try {
    if (turn.replay) return turn.replay;
    turn = await storeAnswer(await fold(turn, HEAR, deps), deps);
    if (turn.replay) return turn.replay;
    turn = await fold(turn, DELIVER, deps);
    const total = round(deps.clock.monotonicMs() - started);
    deps.telemetry.metric('TurnLatency', total, 'Milliseconds', { route: turn.decision?.kind ?? 'none' });
    return buildReply(turn, await spokenAudio(turn, deps), total);
  } finally {
    await releaseAudio(turn, deps);
  }
}

/** Answers and stores; when another writer moved the conversation, reads it again and answers again (or rebases). */
async function storeAnswer(heard: TurnRecord, deps: TurnDeps): Promise<TurnRecord> {
  let turn = heard;
  for (;;) {
    turn = turn.attempt > 1 && keepsReplyAfterConflict(turn, deps.registry) ? rebaseReply(turn) : await fold(turn, ANSWER, deps);
    try {
      return await runStep('persist', persist, turn, deps);
    } catch (error) {
      if (!(error instanceof VersionConflictError) || turn.attempt >= deps.options.maxConflictRetries) throw error;
      deps.telemetry.metric('TurnVersionConflict', 1, 'Count');
      turn = await runStep('load', load, { ...turn, attempt: turn.attempt + 1 }, deps);
      if (turn.replay) return turn;
    }
  }
}

async function fold(turn: TurnRecord, steps: Steps, deps: TurnDeps): Promise<TurnRecord> {
  let next = turn;
  for (const [name, step] of steps) next = await runStep(name, step, next, deps);
  return next;
}

/** Runs one step inside a span, stopping first if the caller has gone, and adds its time to the record. */
async function runStep(name: StepName, step: Steps[number][1], turn: TurnRecord, deps: TurnDeps): Promise<TurnRecord> {
  throwIfAborted(deps.signal);
  const t0 = deps.clock.monotonicMs();
  const next = await deps.telemetry.span(`turn.${name}`, () => step(turn, deps));
  const ms = deps.clock.monotonicMs() - t0;
  return { ...next, timings: { ...next.timings, [name]: round((next.timings[name] ?? 0) + ms) } };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
