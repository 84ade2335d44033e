// Runs the turn state machine (deploy/workflow/turn-workflow.asl.json) in aws-local-stepfunctions, with every task
// state wired to the real task handlers over the in-memory test assistant. aws-local-stepfunctions needs Node 22:
// turn-workflow.test.ts starts this file on Node 22 and reads the JSON it prints.
import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';
import { MemoryOutboxStore } from '../../adapters/local/memory-outbox-store.js';
import { MemoryConversationStore } from '../../adapters/local/memory-conversation-store.js';
import { DependencyUnavailableError } from '../../core/errors.js';
import type { DomainEvent } from '../../core/model/events.js';
import type { TurnRecord } from '../../core/model/turn.js';
import type { AppendExchange } from '../../core/ports/conversation-store.js';
import { startTurn } from '../../core/pipeline/turn-record.js';
import { createTurnTasks, type TaskName } from '../../entrypoints/lambda/workflow/turn-tasks.js';
import { FixedSpeechRecognizer } from '../doubles/fixed-speech-recognizer.js';
import { ScriptedLanguageModel } from '../doubles/scripted-language-model.js';
import { createTestAssistant } from '../support/test-assistant.js';

const ASL = new URL('../../deploy/workflow/turn-workflow.asl.json', import.meta.url);

/** The definition as CloudFormation would deploy it, with each `${XFunctionArn}` made a function ARN. */
export function loadDefinition(): { definition: object; taskOf: Record<string, TaskName> } {
  const text = readFileSync(ASL, 'utf8');
  const definition = JSON.parse(
    text.replace(/\$\{(\w+)FunctionArn\}/g, 'arn:aws:lambda:us-east-1:123456789012:function:assistant-$1'),
  ) as {
    States: Record<string, { Type: string; Resource?: string }>;
  };
  const taskOf: Record<string, TaskName> = {};
  for (const [state, body] of Object.entries(definition.States)) {
    if (body.Type !== 'Task' || !body.Resource) continue;
    const fn = /assistant-(\w+)$/.exec(body.Resource)?.[1] ?? '';
    taskOf[state] = (fn.charAt(0).toLowerCase() + fn.slice(1)) as TaskName;
  }
  return { definition, taskOf };
}

class CountingSynthesizer {
  readonly capabilities = { formats: ['wav'] as const, voices: ['test'], defaultVoice: 'test' };
  readonly texts: string[] = [];
  async synthesize(request: { text: string }) {
    this.texts.push(request.text);
    return { data: new Uint8Array(32).fill(1), format: 'wav' as const, sampleRate: 16_000 };
  }
}

type Scenario = 'voice' | 'transient' | 'failure' | 'conflict';

async function run(scenario: Scenario) {
  const events: DomainEvent[] = [];
  // The store writes a turn's events into the outbox the container's relay delivers from.
  const outbox = new MemoryOutboxStore();
  const store = new MemoryConversationStore({ outbox });
  let appends = 0;
  const conversations = Object.create(store) as MemoryConversationStore;
  conversations.appendExchange = async (exchange: AppendExchange) => {
    appends += 1;
    if (scenario === 'failure') throw new DependencyUnavailableError('store', 'the table is unreachable');
    if (scenario === 'conflict' && appends === 1) {
      const at = '2026-03-01T09:29:00Z';
      await store.appendExchange({
        ...exchange,
        events: [],
        turns: [
          { id: 'r-u', role: 'user', text: 'hello', at },
          { id: 'r-a', role: 'assistant', text: 'Hi.', at },
        ],
      });
    }
    return store.appendExchange(exchange);
  };
  const model = new ScriptedLanguageModel('Forty-two.');
  const recognizer = new FixedSpeechRecognizer([
    scenario === 'voice' ? 'what time is it' : 'what is the meaning of life',
  ]);
  let recognizerFailures = scenario === 'transient' ? 1 : 0;
  let recognizerAttempts = 0;
  const transcribe = recognizer.transcribe.bind(recognizer);
  recognizer.transcribe = async (request) => {
    recognizerAttempts += 1;
    if (recognizerFailures > 0) {
      recognizerFailures -= 1;
      throw new DependencyUnavailableError('recognizer', 'throttled');
    }
    return transcribe(request);
  };
  const synthesizer = new CountingSynthesizer();
  const assistant = await createTestAssistant({
    conversations,
    model,
    synthesizer,
    recognizer,
    events: { publish: async ({ events: batch }) => void events.push(...batch) },
    overrides: { memoryOutbox: outbox },
  });
  const conversation = await assistant.service.create('u1');
  events.length = 0;
  const tasks = createTurnTasks(assistant.deps);
  const { definition, taskOf } = loadDefinition();
  // The runner types task results as JSON values; a turn record is one (turn-record.test.ts round-trips it).
  const handlers = Object.fromEntries(
    Object.entries(taskOf).map(([state, task]) => [
      state,
      async (input: unknown) => (await tasks[task](input)) as never,
    ]),
  );
  const input = await startTurn(
    {
      userId: 'u1',
      conversationId: conversation.id,
      input: { kind: 'audio', audio: { data: new Uint8Array(1600), format: 'wav', sampleRate: 16_000 } },
      speech: { format: 'wav' },
      idempotencyKey: 'turn-1',
    },
    assistant.deps,
  );
  const states: string[] = [];
  const machine = new StateMachine(definition as never);
  const execution = machine.run(input as never, {
    overrides: {
      taskResourceLocalHandlers: handlers,
      retryIntervalOverrides: Object.fromEntries(Object.keys(taskOf).map((state) => [state, 0])),
    },
  });
  for await (const event of execution.eventLogs) {
    if (event.type === 'StateEntered') states.push(event.state.name);
  }
  const output = (await execution.result) as unknown as TurnRecord;
  const history = await assistant.service.history('u1', conversation.id, { limit: 10 });
  return {
    scenario,
    states,
    output,
    serialisedBytes: JSON.stringify(output).length,
    history: history.items.map(({ role, text }) => ({ role, text })),
    events: events.map((event) => ({
      type: event.type,
      ...('code' in event && { code: event.code, step: event.step }),
      ...('turnId' in event && { turnId: event.turnId }),
    })),
    storedTurnIds: history.items.map((turn) => turn.id),
    spoken: synthesizer.texts,
    appends,
    recognizerAttempts,
  };
}

const scenarios = process.argv.slice(2) as Scenario[];
const results = [];
for (const scenario of scenarios) results.push(await run(scenario));
process.stdout.write(`${JSON.stringify(results)}\n`);
