import type { IoOptions } from '../model/io.js';
import type { TurnRecord } from '../model/turn.js';

/** Runs a turn record through the turn's steps somewhere else (a workflow service) and returns the final record. */
export interface TurnWorkflow {
  /**
   * Resolves with the finished record, which carries `failure` when the workflow's failure path answered instead;
   * throws a retryable DependencyUnavailableError when the workflow itself could not run or finish.
   */
  run(request: { turn: TurnRecord } & IoOptions): Promise<TurnRecord>;
}
