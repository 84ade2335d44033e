import { SFNClient, StartSyncExecutionCommand, type SFNClientConfig } from '@aws-sdk/client-sfn';
import { DependencyUnavailableError, ValidationError } from '../../core/errors.js';
import type { IoOptions } from '../../core/model/io.js';
import type { TurnRecord } from '../../core/model/turn.js';
import type { TurnWorkflow } from '../../core/ports/turn-workflow.js';
import { startServiceCall, type ServiceErrorPolicy } from '../shared/service-errors.js';

const ADAPTER = 'step-functions';

/** Step Functions' limit on an execution's input and output. */
const MAX_PAYLOAD_BYTES = 256 * 1024;

interface StepFunctionsTurnWorkflowSettings {
  /** The Express state machine built from deploy/workflow/turn-workflow.asl.json. */
  stateMachineArn: string;
  /** Longest wait for the whole execution; default 60 s (an Express sync execution may last 5 minutes). */
  timeoutMs?: number;
}

type SfnApi = Pick<SFNClient, 'send'>;

export type StepFunctionsTurnWorkflowOptions = StepFunctionsTurnWorkflowSettings &
  ({ client: SfnApi; clientConfig?: never } | { client?: never; clientConfig?: SFNClientConfig });

const SFN_ERRORS: ServiceErrorPolicy = {
  adapter: ADAPTER,
  unavailable: new Set(['ThrottlingException', 'ServiceUnavailable', 'InternalServerError']),
  invalid: new Set(['InvalidExecutionInput', 'InvalidName', 'ValidationException']),
  hints: {
    StateMachineDoesNotExist: 'the state machine does not exist; check WORKFLOW_STATE_MACHINE_ARN',
    StateMachineTypeNotSupported: 'StartSyncExecution needs an EXPRESS state machine',
    AccessDeniedException: 'access denied; check states:StartSyncExecution on the state machine',
  },
  unavailableError: (detail, options) => new DependencyUnavailableError(ADAPTER, detail, options),
};

/** Runs a turn through the Express turn workflow with StartSyncExecution, named after the turn (one run per turn). */
export class StepFunctionsTurnWorkflow implements TurnWorkflow {
  private readonly client: SfnApi;
  private readonly stateMachineArn: string;
  private readonly timeoutMs: number;

  constructor(options: StepFunctionsTurnWorkflowOptions) {
    this.client = options.client ?? new SFNClient(options.clientConfig ?? {});
    this.stateMachineArn = options.stateMachineArn;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  async run(request: { turn: TurnRecord } & IoOptions): Promise<TurnRecord> {
    const input = JSON.stringify(request.turn);
    if (Buffer.byteLength(input) > MAX_PAYLOAD_BYTES) {
      throw new ValidationError(
        `${ADAPTER}: the turn record is over ${MAX_PAYLOAD_BYTES} bytes; audio must travel by reference`,
      );
    }
    const call = startServiceCall(SFN_ERRORS, request.signal, this.timeoutMs);
    let result;
    try {
      result = await this.client.send(
        new StartSyncExecutionCommand({ stateMachineArn: this.stateMachineArn, name: request.turn.id, input }),
        { abortSignal: call.signal },
      );
    } catch (error) {
      throw call.fail(error);
    }
    if (result.status === 'SUCCEEDED' && result.output) return JSON.parse(result.output) as TurnRecord;
    // The execution's own failure (its failure path failed too, or it timed out): the cause stays out of the message.
    const retryable = result.status !== 'FAILED' || result.error !== 'Rejected';
    throw new DependencyUnavailableError(
      ADAPTER,
      `the turn workflow ended ${result.status ?? 'without a status'} (${result.error ?? 'no error name'})`,
      {
        retryable,
        details: { executionArn: result.executionArn, error: result.error },
      },
    );
  }
}
