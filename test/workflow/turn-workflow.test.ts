import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import aslValidator from 'asl-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { TASK_NAMES } from '../../entrypoints/lambda/workflow/turn-tasks.js';
import { WORKFLOW_ERRORS } from '../../entrypoints/lambda/workflow/workflow-errors.js';
import { locateNode22 } from '../fakes/lambda/node22.js';

const ASL_PATH = new URL('../../deploy/workflow/turn-workflow.asl.json', import.meta.url);
type State = {
  Type: string;
  Resource?: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string }[];
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
};
const definition = JSON.parse(readFileSync(ASL_PATH, 'utf8')) as { StartAt: string; States: Record<string, State> };

describe('turn workflow definition', () => {
  it('is valid Amazon States Language once its function ARNs are substituted', () => {
    const deployed = JSON.parse(
      readFileSync(ASL_PATH, 'utf8').replace(
        /\$\{(\w+)FunctionArn\}/g,
        'arn:aws:lambda:us-east-1:123456789012:function:assistant-$1',
      ),
    ) as object;
    const { isValid, errorsText } = aslValidator(deployed);
    expect(isValid, errorsText('\n')).toBe(true);
  });

  it('names only task handlers that exist, and every handler is used', () => {
    const used = Object.values(definition.States)
      .map((state) => /^\$\{(\w+)FunctionArn\}$/.exec(state.Resource ?? '')?.[1])
      .filter((name): name is string => name !== undefined)
      .map((name) => name.charAt(0).toLowerCase() + name.slice(1));
    expect(new Set(used)).toEqual(new Set(TASK_NAMES));
  });

  it('branches only on error names the tasks raise, Lambda service errors or States.ALL', () => {
    const names = Object.values(definition.States).flatMap((state) =>
      [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule) => rule.ErrorEquals),
    );
    for (const name of names) {
      expect(
        name === 'States.ALL' || name.startsWith('Lambda.') || (WORKFLOW_ERRORS as readonly string[]).includes(name),
        name,
      ).toBe(true);
    }
  });

  it('reaches every state from the start, and every task fails into the failure path', () => {
    const seen = new Set<string>();
    const visit = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const state = definition.States[name];
      expect(state, name).toBeDefined();
      for (const next of [
        state?.Next,
        state?.Default,
        ...(state?.Choices ?? []).map((c) => c.Next),
        ...(state?.Catch ?? []).map((c) => c.Next),
      ]) {
        if (next) visit(next);
      }
    };
    visit(definition.StartAt);
    expect([...seen].sort()).toEqual(Object.keys(definition.States).sort());
    const tasks = Object.entries(definition.States).filter(
      ([name, state]) => state.Type === 'Task' && name !== 'RecordFailure',
    );
    for (const [name, state] of tasks)
      expect(state.Catch?.at(-1), name).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'RecordFailure' });
  });
});

interface Outcome {
  scenario: string;
  states: string[];
  output: {
    replay?: unknown;
    failure?: { code: string; step: string; apology: string };
    response?: { text: string };
    speechOut?: { audio?: { uri: string } };
    stored?: { version: number };
    heard?: string;
  };
  serialisedBytes: number;
  history: { role: string; text: string }[];
  events: { type: string; code?: string; step?: string; turnId?: string }[];
  storedTurnIds: string[];
  spoken: string[];
  appends: number;
  recognizerAttempts: number;
}

describe('turn workflow on Node 22 (aws-local-stepfunctions, real task handlers)', () => {
  let outcomes: Record<string, Outcome> = {};

  beforeAll(async () => {
    const located = await locateNode22();
    if ('skip' in located) return;
    const node = located.path;
    const script = new URL('./run-workflow.ts', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(
      node,
      ['--import', 'tsx', script, 'voice', 'transient', 'failure', 'conflict'],
      {
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const last = stdout.trim().split('\n').at(-1) ?? '[]';
    outcomes = Object.fromEntries((JSON.parse(last) as Outcome[]).map((outcome) => [outcome.scenario, outcome]));
  }, 360_000);

  const outcome = (name: string, ctx: { skip: (note?: string) => void }): Outcome => {
    const found = outcomes[name];
    if (!found) ctx.skip('Node 22 could not be fetched with npx here (outside CI only; under CI that fails the run)');
    return found as Outcome;
  };

  it('answers a voice turn end to end: heard, skill, stored, spoken, published', (ctx) => {
    const run = outcome('voice', ctx);
    expect(run.states).toEqual([
      'Load',
      'Replayed?',
      'Transcribe',
      'Sentiment',
      'Understand',
      'Decide',
      'Skill or model?',
      'RunSkill',
      'Persist',
      'Synthesize',
      'Publish',
      'Done',
    ]);
    expect(run.output.heard).toBe('what time is it');
    expect(run.output.stored?.version).toBe(1);
    expect(run.output.speechOut?.audio?.uri).toMatch(/^memory:/);
    expect(run.history).toEqual([
      { role: 'user', text: 'what time is it' },
      { role: 'assistant', text: run.output.response?.text },
    ]);
    expect(run.spoken).toEqual([run.output.response?.text]);
    expect(run.events.map((event) => event.type)).toEqual(['UserInteraction', 'AssistantReplied']);
    expect(run.serialisedBytes).toBeLessThan(8_000);
  });

  it('retries a transient recognizer failure with backoff and answers once', (ctx) => {
    const run = outcome('transient', ctx);
    expect(run.states.filter((state) => state === 'Transcribe')).toHaveLength(1);
    expect(run.recognizerAttempts).toBe(2);
    expect(run.states).toContain('AskModel');
    expect(run.output.response?.text).toBe('Forty-two.');
    expect(run.history).toHaveLength(2);
  });

  it('catches a failure it cannot retry away: records a SystemError, answers with a spoken apology, stores nothing', (ctx) => {
    const run = outcome('failure', ctx);
    expect(run.states.slice(-2)).toEqual(['RecordFailure', 'Answered with an apology']);
    expect(run.appends).toBe(3);
    expect(run.output.failure).toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE', step: 'persist' });
    expect(run.output.speechOut?.audio?.uri).toMatch(/^memory:/);
    expect(run.spoken).toEqual([run.output.failure?.apology]);
    expect(run.history).toEqual([]);
    expect(run.events).toEqual([{ type: 'SystemError', code: 'DEPENDENCY_UNAVAILABLE', step: 'persist' }]);
  });

  it('answers again on a fresh read when another writer moved the conversation', (ctx) => {
    const run = outcome('conflict', ctx);
    expect(run.states).toContain('Reload');
    expect(run.states.filter((state) => state === 'Understand')).toHaveLength(2);
    expect(run.output.stored?.version).toBe(2);
    expect(run.history.map((turn) => turn.text)).toEqual(['hello', 'Hi.', 'what is the meaning of life', 'Forty-two.']);
    // Only the attempt that committed wrote events: the conflicted one left none behind.
    expect(run.events).toEqual([
      { type: 'UserInteraction', turnId: run.storedTurnIds[2] },
      { type: 'AssistantReplied', turnId: run.storedTurnIds[3] },
    ]);
  });
});
