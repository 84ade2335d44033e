import { throwIfAborted } from '../errors.js';
import { STEP_NAMES, type StepName, type TurnRecord } from '../model/turn.js';
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
  const next = await deps.telemetry.span(SPAN_NAMES[name], () => step(turn, deps));
  // A copy of the timings with this step's added (a step's record shares its input's timings, which stay as they were).
  const timings = Object.assign({}, next.timings);
  timings[name] = roundMs((next.timings[name] ?? 0) + deps.clock.monotonicMs() - t0);
  if (next === turn) return extend(turn, { timings });
  // A step that did its part returned a record of its own: add the time to it rather than copying it once more.
  next.timings = timings;
  return next;
}

/** `turn.<step>`, built once rather than per step of every turn. */
const SPAN_NAMES = Object.fromEntries(STEP_NAMES.map((name) => [name, `turn.${name}`])) as Record<StepName, string>;

export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
