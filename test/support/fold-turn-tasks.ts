import { STEP_NAMES, type TurnRecord } from '../../core/model/turn.js';
import type { TurnTask, TaskName } from '../../entrypoints/lambda/workflow/turn-tasks.js';
import { WorkflowTaskError } from '../../entrypoints/lambda/workflow/workflow-errors.js';

/**
 * The turn workflow's happy path and failure path as plain calls, for stand-ins that cannot interpret ASL on Node 20
 * (the definition itself runs on Node 22 in test/workflow/). No retries and no conflict branch: those are the ASL's.
 */
export async function foldTurnTasks(tasks: Record<TaskName, TurnTask>, input: unknown): Promise<TurnRecord> {
  let turn = input as TurnRecord;
  try {
    turn = await tasks.load(turn);
    if (turn.replay) return turn;
    for (const task of STEP_NAMES.slice(1)) {
      turn = await tasks[task](turn);
    }
    return turn;
  } catch (error) {
    if (!(error instanceof WorkflowTaskError)) throw error;
    return tasks.recordFailure({ ...turn, error: { Error: error.name, Cause: error.message } });
  }
}
