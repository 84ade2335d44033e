import type { Context } from 'aws-lambda';
import type { TurnRecord } from '../../../core/model/turn.js';
import { createLambdaContainer } from '../shared/lambda-container.js';
import { loadLambdaConfig } from '../shared/lambda-config.js';
import { instrumented, type LambdaHandler } from '../shared/instrumented-handler.js';
import { createObservability } from '../shared/observability.js';
import { createTurnTasks, type TaskName, type TurnTask } from './turn-tasks.js';

/*
 * Composition root of the turn workflow's task functions (deploy/workflow/turn-workflow.asl.json): one bundle, one
 * exported handler per task, each deployed as its own function (`index.load`, `index.persist`, ...). Config and the
 * container are built once per cold start; the turn's ports are resolved on the first task, so an init never fails
 * on a client it would not use.
 */
const config = await loadLambdaConfig(process.env, { sharedAudio: true });
const observability = await createObservability({
  serviceName: config.app.assistantName,
  namespace: config.app.aws.metricsNamespace,
  functionName: config.functionName,
});
const container = await createLambdaContainer(config, observability.telemetry, observability.captureClient);
let tasks: Promise<Record<TaskName, TurnTask>> | undefined;

/** Stops a task's step this long before the invocation's deadline, so it fails as a retryable timeout, not a kill. */
const DEADLINE_MARGIN_MS = 500;

function task(name: TaskName): LambdaHandler<unknown, TurnRecord> {
  return instrumented<unknown, TurnRecord>(
    observability,
    // The execution is named after the turn (StartSyncExecution `name`), so the turn id correlates every task's lines.
    { correlationId: (event) => (event as { id?: unknown } | undefined)?.id?.toString() },
    async (event: unknown, context: Context) => {
      tasks ??= container.getAsync('turnDeps').then(createTurnTasks);
      const run = (await tasks)[name];
      const budget = Math.max(0, context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS);
      return run(event, AbortSignal.timeout(budget));
    },
  );
}

export const load = task('load');
export const transcribe = task('transcribe');
export const sentiment = task('sentiment');
export const understand = task('understand');
export const decide = task('decide');
export const respond = task('respond');
export const persist = task('persist');
export const reload = task('reload');
export const rebase = task('rebase');
export const synthesize = task('synthesize');
export const publish = task('publish');
export const recordFailure = task('recordFailure');
