import { randomUUID } from 'node:crypto';
import { startFakeAwsServer, type FakeReply } from './fake-aws-server.js';

/** What the fake's execution does with an input: succeed with an output, fail with an error name, or time out. */
export type FakeExecution = (
  input: unknown,
) => Promise<{ output: unknown } | { error: string; cause: string } | { timedOut: true }>;

export interface StepFunctionsFake {
  url: string;
  /** Every StartSyncExecution request body, in arrival order. */
  starts: Array<{ stateMachineArn: string; name?: string; input: unknown }>;
  close(): Promise<void>;
}

/** A loopback Step Functions speaking awsJson 1.0 (`AWSStepFunctions.StartSyncExecution`) to the real SDK client. */
export async function startStepFunctionsFake(execute: FakeExecution): Promise<StepFunctionsFake> {
  const starts: StepFunctionsFake['starts'] = [];
  const server = await startFakeAwsServer({
    'AWSStepFunctions.StartSyncExecution': async (request): Promise<FakeReply> => {
      const body = request.json() as { stateMachineArn: string; name?: string; input?: string };
      const input: unknown = JSON.parse(body.input ?? '{}');
      starts.push({ stateMachineArn: body.stateMachineArn, ...(body.name && { name: body.name }), input });
      if (!body.stateMachineArn.startsWith('arn:aws:states:')) {
        return {
          status: 400,
          errorType: 'StateMachineDoesNotExist',
          message: `no state machine ${body.stateMachineArn}`,
        };
      }
      const executionArn = `${body.stateMachineArn.replace(':stateMachine:', ':express:')}:${body.name ?? randomUUID()}`;
      const base = {
        executionArn,
        stateMachineArn: body.stateMachineArn,
        startDate: Date.now() / 1000,
        stopDate: Date.now() / 1000,
      };
      const result = await execute(input);
      if ('output' in result) return { json: { ...base, status: 'SUCCEEDED', output: JSON.stringify(result.output) } };
      if ('timedOut' in result) return { json: { ...base, status: 'TIMED_OUT' } };
      return { json: { ...base, status: 'FAILED', error: result.error, cause: result.cause } };
    },
  });
  return { url: server.url, starts, close: () => server.close() };
}
