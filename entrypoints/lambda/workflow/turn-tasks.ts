import { analyseSentiment } from '../../../core/pipeline/analyse-sentiment.js';
import { rebaseReply, reload } from '../../../core/pipeline/conflict.js';
import { decide } from '../../../core/pipeline/decide.js';
import { load } from '../../../core/pipeline/load.js';
import { persist } from '../../../core/pipeline/persist.js';
import { publish } from '../../../core/pipeline/publish.js';
import { recordFailure } from '../../../core/pipeline/record-failure.js';
import { respond } from '../../../core/pipeline/respond.js';
import { runStep, type AnyStep } from '../../../core/pipeline/run-step.js';
import { synthesize } from '../../../core/pipeline/synthesize.js';
import { transcribe } from '../../../core/pipeline/transcribe.js';
import type { TurnDeps } from '../../../core/pipeline/turn-deps.js';
import { understand } from '../../../core/pipeline/understand.js';
import { DependencyUnavailableError, ErrorCodes } from '../../../core/errors.js';
import type { StepName, TurnRecord } from '../../../core/model/turn.js';
import { parseTurnRecord } from './turn-record-schema.js';
import { failureFromCatch, toWorkflowError, WorkflowTaskError } from './workflow-errors.js';

export type TurnTask = (event: unknown, signal?: AbortSignal) => Promise<TurnRecord>;

/** The workflow's tasks, by the function each state names (deploy/workflow/turn-workflow.asl.json). */
export const TASK_NAMES = [
  'load',
  'transcribe',
  'sentiment',
  'understand',
  'decide',
  'respond',
  'persist',
  'reload',
  'rebase',
  'synthesize',
  'publish',
  'recordFailure',
] as const;
export type TaskName = (typeof TASK_NAMES)[number];

const STEPS: Record<Exclude<TaskName, 'recordFailure'>, readonly [StepName, AnyStep]> = {
  load: ['load', load],
  transcribe: ['transcribe', transcribe],
  sentiment: ['sentiment', analyseSentiment],
  understand: ['understand', understand],
  decide: ['decide', decide],
  respond: ['respond', respond],
  persist: ['persist', persist],
  reload: ['load', reload],
  rebase: ['persist', async (turn) => Promise.resolve(rebaseReply(turn))],
  synthesize: ['synthesize', synthesize],
  publish: ['publish', publish],
};

/**
 * One handler per step: each takes the turn record a state hands it and returns the record with its part added,
 * running the very function the in-process runner folds. Errors leave as the names the state machine branches on.
 */
export function createTurnTasks(deps: Omit<TurnDeps, 'signal'>): Record<TaskName, TurnTask> {
  const tasks = {} as Record<TaskName, TurnTask>;
  for (const [name, [stepName, step]] of Object.entries(STEPS) as [
    Exclude<TaskName, 'recordFailure'>,
    (typeof STEPS)[keyof typeof STEPS],
  ][]) {
    tasks[name] = async (event, signal) => {
      const record = recordOf(event, name);
      try {
        return await runStep(stepName, step, withoutCaught(record), { ...deps, ...(signal && { signal }) });
      } catch (error) {
        throw toWorkflowError(
          timedOut(signal)
            ? new DependencyUnavailableError('workflow', `task ${name} ran out of time`, { cause: error })
            : error,
          name,
        );
      }
    };
  }
  tasks.recordFailure = async (event, signal) => {
    const record = recordOf(event, 'recordFailure');
    const failure = failureFromCatch((event as { error?: unknown }).error);
    try {
      return await recordFailure(withoutCaught(record), { ...deps, ...(signal && { signal }) }, failure);
    } catch (error) {
      throw toWorkflowError(error, 'recordFailure');
    }
  };
  return tasks;
}

function recordOf(event: unknown, task: string): TurnRecord {
  const parsed = parseTurnRecord(event);
  if ('record' in parsed) return parsed.record;
  const message = `the event is not a turn record: ${parsed.problems.join('; ')}`;
  throw new WorkflowTaskError('Rejected', { code: ErrorCodes.VALIDATION, message, retryable: false, step: task });
}

/** Drops the `{ Error, Cause }` a Catch added, so it never travels into the next attempt. */
function withoutCaught(record: TurnRecord): TurnRecord {
  const { error: _caught, ...rest } = record as TurnRecord & { error?: unknown };
  return rest;
}

/** True when the task's own time limit (not the caller) stopped it: worth another try, unlike a rejected input. */
function timedOut(signal: AbortSignal | undefined): boolean {
  const reason: unknown = signal?.aborted ? signal.reason : undefined;
  return reason instanceof Error && reason.name === 'TimeoutError';
}
