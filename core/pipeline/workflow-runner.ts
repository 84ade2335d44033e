import { CoreError, ErrorCodes, type ErrorCode } from '../errors.js';
import type { TurnFailure, TurnRecord } from '../model/turn.js';
import type { TurnWorkflow } from '../ports/turn-workflow.js';
import { roundMs } from './run-step.js';
import { signalOption } from './step-support.js';
import { releaseAudio, spokenAudio } from './turn-audio.js';
import type { TurnDeps } from './turn-deps.js';
import type { HandleTurn } from './turn-pipeline.js';
import { startTurn } from './turn-record.js';
import { buildReply } from './turn-reply.js';

export interface WorkflowRunnerDeps extends Pick<TurnDeps, 'audio' | 'clock' | 'newId' | 'telemetry'> {
  workflow: TurnWorkflow;
}

/**
 * Runs turns through a workflow service instead of in this process: the same record and steps, each step a task.
 * Every run carries an idempotency key (the turn's id when the caller gave none), so a task retried after its write
 * landed finds the stored reply instead of writing twice.
 */
export function createWorkflowTurnRunner(deps: WorkflowRunnerDeps): HandleTurn {
  return async (request) => {
    const started = deps.clock.monotonicMs();
    const fresh = await startTurn(request, deps);
    let turn: TurnRecord = { ...fresh, idempotencyKey: fresh.idempotencyKey ?? fresh.id };
    try {
      turn = await deps.workflow.run({ turn, ...signalOption(request.signal) });
      if (turn.failure) throw errorOf(turn.failure);
      const reply = buildReply(turn, await spokenAudio(turn, deps), roundMs(deps.clock.monotonicMs() - started));
      deps.telemetry.metric('TurnLatency', reply.timings.total ?? 0, 'Milliseconds', {
        route: reply.route,
        runner: 'workflow',
      });
      return reply;
    } finally {
      await releaseAudio(turn, deps);
    }
  };
}

/** The failure a workflow answered with, as the core error an in-process run would have thrown. */
function errorOf(failure: TurnFailure): CoreError {
  const known = Object.values(ErrorCodes) as string[];
  const code = (known.includes(failure.code) ? failure.code : ErrorCodes.INTERNAL) as ErrorCode;
  return new CoreError(code, failure.message, { retryable: failure.retryable, details: { step: failure.step } });
}

/** Sends audio turns through the workflow and text turns through the in-process runner. */
export function routeVoiceTurns(inProcess: HandleTurn, workflow: HandleTurn): HandleTurn {
  return (request) => (request.input.kind === 'audio' ? workflow(request) : inProcess(request));
}
