import { throwIfAborted } from '../errors.js';
import type { StepName, TurnRecord } from '../model/turn.js';
import type { TurnDeps } from './turn-deps.js';
import { extend } from './extend.js';

export type AnyStep = (turn: TurnRecord, deps: TurnDeps) => Promise<TurnRecord>;

/**
 * Runs one step inside a span, stopping first if the caller has gone, and adds its time to the record: the one way
 * every runner (in process or a workflow task) executes a step.
 */
export async function runStep(name: StepName, step: AnyStep, turn: TurnRecord, deps: TurnDeps): Promise<TurnRecord> {
  throwIfAborted(deps.signal);
  const t0 = deps.clock.monotonicMs();
  const next = await deps.telemetry.span(`turn.${name}`, () => step(turn, deps));
  const timings = extend(next.timings, {
    [name]: roundMs((next.timings[name] ?? 0) + deps.clock.monotonicMs() - t0),
  });
  // A step that did its part returned a record of its own: add the time to it rather than copying it once more.
  return next === turn ? extend(turn, { timings }) : Object.assign(next, { timings });
}

export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
