import { SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import { StepFunctionsTurnWorkflow } from '../../../adapters/aws/step-functions-turn-workflow.js';
import { MemoryConversationStore } from '../../../adapters/local/memory-conversation-store.js';
import { DependencyUnavailableError, ErrorCodes } from '../../../core/errors.js';
import { createWorkflowTurnRunner, routeVoiceTurns } from '../../../core/pipeline/workflow-runner.js';
import { createTurnTasks } from '../../../entrypoints/lambda/workflow/turn-tasks.js';
import { describeTurnWorkflowContract } from '../../contract/turn-workflow.contract.js';
import { TEST_AWS_CLIENT_CONFIG } from '../../fakes/aws/fake-aws-server.js';
import {
  startStepFunctionsFake,
  type FakeExecution,
  type StepFunctionsFake,
} from '../../fakes/aws/step-functions-fake.js';
import { FixedSpeechRecognizer } from '../../doubles/fixed-speech-recognizer.js';
import { foldTurnTasks } from '../../support/fold-turn-tasks.js';
import { createTestAssistant } from '../../support/test-assistant.js';

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:assistant-turn';

const sfnClient = (url: string) => new SFNClient({ ...TEST_AWS_CLIENT_CONFIG, endpoint: url, disableHostPrefix: true });

/** A test assistant whose turns run through the Step Functions adapter against a fake that folds the real tasks. */
async function assistantBehindFake(options: { execute?: FakeExecution } = {}) {
  const store = new MemoryConversationStore();
  let storeDown = false;
  const conversations = Object.create(store) as MemoryConversationStore;
  conversations.appendExchange = async (exchange) => {
    if (storeDown) throw new DependencyUnavailableError('store', 'the table is unreachable');
    return store.appendExchange(exchange);
  };
  const assistant = await createTestAssistant({
    conversations,
    recognizer: new FixedSpeechRecognizer(['what time is it']),
  });
  const tasks = createTurnTasks(assistant.deps);
  let serviceDown = false;
  const fake: StepFunctionsFake = await startStepFunctionsFake(
    options.execute ??
      (async (input) =>
        serviceDown
          ? { error: 'States.Runtime', cause: 'the service broke' }
          : { output: await foldTurnTasks(tasks, input) }),
  );
  const workflow = new StepFunctionsTurnWorkflow({ stateMachineArn: ARN, client: sfnClient(fake.url) });
  const { id } = await assistant.service.create('u1');
  return {
    assistant,
    workflow,
    fake,
    conversationId: id,
    breakService: () => void (serviceDown = true),
    breakStore: () => void (storeDown = true),
    history: async () => (await assistant.service.history('u1', id, { limit: 20 })).items.map((turn) => turn.text),
    dispose: () => fake.close(),
  };
}

describeTurnWorkflowContract('StepFunctionsTurnWorkflow (Step Functions stand-in folding the real tasks)', async () => {
  const made = await assistantBehindFake();
  return { ...made, deps: made.assistant.deps };
});

describe('StepFunctionsTurnWorkflow', () => {
  const open: Array<{ dispose: () => Promise<void> }> = [];
  afterEach(async () => {
    for (const handle of open.splice(0)) await handle.dispose();
  });

  it('runs voice turns through the workflow by reference and text turns in process', async () => {
    // Prepare
    const made = await assistantBehindFake();
    open.push(made);
    const { assistant, fake, conversationId } = made;
    const handleTurn = routeVoiceTurns(
      assistant.handleTurn,
      createWorkflowTurnRunner({ ...assistant.deps, workflow: made.workflow }),
    );
    const audio = { data: new Uint8Array(32_000).fill(3), format: 'wav' as const, sampleRate: 16_000 };

    // Act
    const spoken = await handleTurn({ userId: 'u1', conversationId, input: { kind: 'audio', audio } });
    const typed = await handleTurn({ userId: 'u1', conversationId, input: { kind: 'text', text: 'hello' } });

    // Assess
    expect(spoken).toMatchObject({ heard: 'what time is it', skill: 'time', version: 1 });
    expect(typed).toMatchObject({ skill: 'small-talk', version: 2 });
    expect(fake.starts).toHaveLength(1);
    const [start] = fake.starts;
    expect(start?.stateMachineArn).toBe(ARN);
    expect(start?.input).toMatchObject({
      id: start?.name,
      idempotencyKey: start?.name,
      input: { kind: 'audio', audio: { bytes: 32_000 } },
    });
    expect(JSON.stringify(start?.input).length).toBeLessThan(2_000);
    expect(await made.history()).toEqual(['what time is it', spoken.text, 'hello', typed.text]);
  });

  it('turns the failure path answer back into the error an in-process turn would raise', async () => {
    const made = await assistantBehindFake();
    open.push(made);
    made.breakStore();
    const run = createWorkflowTurnRunner({ ...made.assistant.deps, workflow: made.workflow });
    await expect(
      run({ userId: 'u1', conversationId: made.conversationId, input: { kind: 'text', text: 'hello' } }),
    ).rejects.toMatchObject({
      code: ErrorCodes.DEPENDENCY_UNAVAILABLE,
      retryable: true,
    });
  });

  it.each([
    ['a timed-out execution', { timedOut: true } as const, true],
    ['an execution whose failure path failed too', { error: 'Failed', cause: '{}' }, true],
    ['an execution that rejected its input', { error: 'Rejected', cause: '{}' }, false],
  ])('reports %s as an unavailable dependency (retryable: %s)', async (_label, result, retryable) => {
    const made = await assistantBehindFake({ execute: async () => result });
    open.push(made);
    const run = createWorkflowTurnRunner({ ...made.assistant.deps, workflow: made.workflow });
    await expect(
      run({ userId: 'u1', conversationId: made.conversationId, input: { kind: 'text', text: 'hello' } }),
    ).rejects.toMatchObject({
      code: ErrorCodes.DEPENDENCY_UNAVAILABLE,
      retryable,
    });
  });

  it('names a missing state machine in a non-retryable error', async () => {
    const made = await assistantBehindFake();
    open.push(made);
    const workflow = new StepFunctionsTurnWorkflow({ stateMachineArn: 'not-an-arn', client: sfnClient(made.fake.url) });
    const run = createWorkflowTurnRunner({ ...made.assistant.deps, workflow });
    await expect(
      run({ userId: 'u1', conversationId: made.conversationId, input: { kind: 'text', text: 'hello' } }),
    ).rejects.toMatchObject({
      code: ErrorCodes.DEPENDENCY_UNAVAILABLE,
      retryable: false,
      message: expect.stringMatching(/WORKFLOW_STATE_MACHINE_ARN/),
    });
  });
});
