import { isCoreError, VersionConflictError } from '../../../core/errors.js';
import { LambdaFunctionError } from '../shared/lambda-errors.js';

/**
 * The error names the state machine matches in Retry and Catch (deploy/workflow/turn-workflow.asl.json): Lambda
 * reports a thrown error's `name` as its type. The message carries the core's code as JSON for the failure path.
 */
export const WORKFLOW_ERRORS = ['Retryable', 'VersionConflict', 'Rejected', 'Failed'] as const;
export type WorkflowErrorName = (typeof WORKFLOW_ERRORS)[number];

export interface WorkflowErrorDetail {
  code: string;
  message: string;
  retryable: boolean;
  step: string;
}

/** A task's failure as the runtime reports it: `errorType` is the name the state machine branches on. */
export class WorkflowTaskError extends LambdaFunctionError {
  constructor(
    name: WorkflowErrorName,
    readonly detail: WorkflowErrorDetail,
    options?: ErrorOptions,
  ) {
    super(name, JSON.stringify(detail), name === 'Retryable', options);
  }
}

/** Maps whatever a step threw to the error the workflow branches on; unknown errors are bugs, never retried. */
export function toWorkflowError(error: unknown, step: string): WorkflowTaskError {
  if (error instanceof WorkflowTaskError) return error;
  if (!isCoreError(error)) {
    return new WorkflowTaskError(
      'Failed',
      { code: 'INTERNAL', message: 'the step failed unexpectedly', retryable: false, step },
      { cause: error },
    );
  }
  const detail = { code: error.code, message: error.message, retryable: error.retryable, step };
  const name: WorkflowErrorName =
    error instanceof VersionConflictError ? 'VersionConflict' : error.retryable ? 'Retryable' : 'Rejected';
  return new WorkflowTaskError(name, detail, { cause: error });
}

/** Reads the `{ Error, Cause }` a Catch put on the record back into the failure it describes. */
export function failureFromCatch(caught: unknown): WorkflowErrorDetail {
  const { Error: name, Cause: cause } = (caught ?? {}) as { Error?: unknown; Cause?: unknown };
  if (typeof cause === 'string') {
    try {
      const detail = JSON.parse(cause) as Partial<WorkflowErrorDetail>;
      if (typeof detail.code === 'string' && typeof detail.step === 'string') {
        return {
          code: detail.code,
          message: String(detail.message ?? ''),
          retryable: detail.retryable === true,
          step: detail.step,
        };
      }
    } catch {
      // Not one of ours: a Lambda runtime or Step Functions error (timeout, out of memory), reported as such below.
    }
  }
  const label = typeof name === 'string' ? name : 'unknown';
  const timeout = label === 'States.Timeout' || label === 'Sandbox.Timedout';
  return {
    code: timeout ? 'TIMEOUT' : 'INTERNAL',
    message: `the workflow failed (${label})`,
    retryable: true,
    step: 'workflow',
  };
}
