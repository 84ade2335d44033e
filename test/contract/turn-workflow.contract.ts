import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../core/errors.js';
import type { TurnRecord, TurnRequest } from '../../core/model/turn.js';
import type { TurnWorkflow } from '../../core/ports/turn-workflow.js';
import { startTurn } from '../../core/pipeline/turn-record.js';
import type { TurnDeps } from '../../core/pipeline/turn-deps.js';
import { managedFactory } from './harness.js';

export interface TurnWorkflowHandle {
  workflow: TurnWorkflow;
  /** The deps the workflow's tasks run with, to start records and read what they stored. */
  deps: Omit<TurnDeps, 'signal'>;
  /** A conversation of user `u1` to run turns on. */
  conversationId: string;
  /** Makes every run of the workflow itself fail (not a step: the service). */
  breakService(): void;
  /** Makes the step that stores turns fail with a system error, so the failure path answers. */
  breakStore(): void;
  history(): Promise<string[]>;
  dispose?: () => Promise<void>;
}

const text = (conversationId: string, words: string): TurnRequest => ({
  userId: 'u1',
  conversationId,
  input: { kind: 'text', text: words },
  idempotencyKey: `key-${words}`,
});

/** The TurnWorkflow contract: a record goes in, the finished record comes back, failures come back as data or errors. */
export function describeTurnWorkflowContract(name: string, make: () => Promise<TurnWorkflowHandle>): void {
  describe(`TurnWorkflow contract: ${name}`, () => {
    const setup = managedFactory(make);

    it('returns the record finished by every step: heard, decided, answered, stored, published', async () => {
      const handle = await setup();
      const turn = await startTurn(text(handle.conversationId, 'what time is it'), handle.deps);
      const done: TurnRecord = await handle.workflow.run({ turn });
      expect(done).toMatchObject({
        id: turn.id,
        heard: 'what time is it',
        decision: { kind: 'skill', skill: 'time' },
        published: true,
      });
      expect(done.stored?.version).toBe(1);
      expect(await handle.history()).toEqual(['what time is it', done.response?.text]);
    });

    it('answers a failing step through the failure path: a failure on the record, nothing stored', async () => {
      const handle = await setup();
      handle.breakStore();
      const turn = await startTurn(text(handle.conversationId, 'hello'), handle.deps);
      const done = await handle.workflow.run({ turn });
      expect(done.failure).toMatchObject({ code: ErrorCodes.DEPENDENCY_UNAVAILABLE, step: 'persist' });
      expect(done.failure?.apology).toMatch(/sorry/i);
      expect(await handle.history()).toEqual([]);
    });

    it('reports a workflow that cannot run as a retryable dependency failure', async () => {
      const handle = await setup();
      handle.breakService();
      const turn = await startTurn(text(handle.conversationId, 'hello'), handle.deps);
      await expect(handle.workflow.run({ turn })).rejects.toMatchObject({
        code: ErrorCodes.DEPENDENCY_UNAVAILABLE,
        retryable: true,
      });
    });

    it('stops before starting when the caller has already gone', async () => {
      const handle = await setup();
      const turn = await startTurn(text(handle.conversationId, 'hello'), handle.deps);
      const controller = new AbortController();
      controller.abort();
      await expect(handle.workflow.run({ turn, signal: controller.signal })).rejects.toMatchObject({
        code: ErrorCodes.ABORTED,
      });
      expect(await handle.history()).toEqual([]);
    });
  });
}
