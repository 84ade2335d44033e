import { throwIfAborted, VersionConflictError } from '../errors.js';
import type { StepName, TurnRecord, TurnReply, TurnRequest } from '../model/turn.js';
import { analyseSentiment } from './analyse-sentiment.js';
import { keepsReplyAfterConflict, rebaseReply, reload } from './conflict.js';
import { decide } from './decide.js';
import { KeyedMutex } from './keyed-mutex.js';
import { load } from './load.js';
import { persist } from './persist.js';
import { publish } from './publish.js';
import { respond } from './respond.js';
import { roundMs, runStep, type AnyStep } from './run-step.js';
import { signalOption } from './step-support.js';
import { synthesize } from './synthesize.js';
import { transcribe } from './transcribe.js';
import { holdsAudio, releaseAudio, spokenAudio } from './turn-audio.js';
import type { TurnDeps } from './turn-deps.js';
import { startTurn } from './turn-record.js';
import { buildReply } from './turn-reply.js';
import { understand } from './understand.js';
import { extend } from './extend.js';

export type HandleTurn = (request: TurnRequest) => Promise<TurnReply>;
type Steps = ReadonlyArray<readonly [StepName, AnyStep]>;

const HEAR: Steps = [
  ['transcribe', transcribe],
  ['sentiment', analyseSentiment],
];
const ANSWER: Steps = [
  ['understand', understand],
  ['decide', decide],
  ['respond', respond],
];
const DELIVER: Steps = [
  ['synthesize', synthesize],
  ['publish', publish],
];

/** Builds the in-process turn runner: the steps of one turn in sequence, one turn per conversation at a time. */
export function createTurnPipeline(deps: Omit<TurnDeps, 'signal'>): HandleTurn {
  const mutex = new KeyedMutex();
  return (request) =>
    mutex.run(request.conversationId, () =>
      runTurn(
        // The deps are copied only for a turn that brings a signal or a stream of its own.
        request.signal || request.stream
          ? extend(extend(deps, signalOption(request.signal)), request.stream ? { stream: request.stream } : {})
          : deps,
        request,
      ),
    );
}

async function runTurn(deps: TurnDeps, request: TurnRequest): Promise<TurnReply> {
  const started = deps.clock.monotonicMs();
  let turn = await startTurn(request, deps);
  try {
    turn = await runStep('load', load, turn, deps);
    if (turn.replay) return turn.replay;
    turn = await fold(turn, HEAR, deps);
    if (turn.heard !== undefined) deps.stream?.heard?.(turn.heard);
    turn = await storeAnswer(turn, deps);
    if (turn.replay) return turn.replay;
    turn = await fold(turn, DELIVER, deps);
    const total = roundMs(deps.clock.monotonicMs() - started);
    deps.telemetry.metric('TurnLatency', total, 'Milliseconds', { route: turn.decision?.kind ?? 'none' });
    // Awaited only when there is audio: a text turn takes no extra round of promises for it.
    return buildReply(turn, holdsAudio(turn) ? await spokenAudio(turn, deps) : undefined, total);
  } finally {
    if (holdsAudio(turn)) await releaseAudio(turn, deps);
  }
}

/**
 * Answers and stores; when another writer moved the conversation, reads it again and answers again (or rebases).
 * A streamed reply is stored once the caller says it was delivered (played out), as the part that reached the user:
 * the store write comes last, so the version check and the events stay one atomic write, and a conflict after
 * delivery rebases what was said onto the fresh conversation instead of answering again.
 */
async function storeAnswer(heard: TurnRecord, deps: TurnDeps): Promise<TurnRecord> {
  let turn = heard;
  for (;;) {
    if (turn.attempt > 1 && keepsReplyAfterConflict(turn)) turn = rebaseReply(turn);
    else turn = await delivered(await fold(turn, ANSWER, deps), deps);
    try {
      return await runStep('persist', persist, turn, deps);
    } catch (error) {
      if (!(error instanceof VersionConflictError)) throw error;
      turn = await runStep('load', reload, turn, deps);
      if (turn.replay) return turn;
    }
  }
}

/** Waits until the streamed reply reached the user and keeps only what did. */
async function delivered(turn: TurnRecord, deps: TurnDeps): Promise<TurnRecord> {
  const response = turn.response;
  if (!deps.stream?.delivered || !response) return turn;
  const outcome = await deps.stream.delivered();
  throwIfAborted(deps.signal);
  if (!outcome.interrupted && outcome.text === response.text) return turn;
  return { ...turn, response: { ...response, text: outcome.text, ...(outcome.interrupted && { interrupted: true }) } };
}

async function fold(turn: TurnRecord, steps: Steps, deps: TurnDeps): Promise<TurnRecord> {
  let next = turn;
  for (const [name, step] of steps) next = await runStep(name, step, next, deps);
  return next;
}
