import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';
import './skip-reason.js';

export const NO_REASON = 'no reason given';
const LISTED_PER_REASON = 20;

/**
 * Prints one summary of the skipped tests after the default reporter's, grouped by reason: the note given to
 * `context.skip(note)`, or the reason given to `skipWhen(condition, reason)` on the test or a describe around it.
 * A skip with neither is listed under "no reason given", so it stands out.
 */
export default class SkipSummaryReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const groups = groupSkipped(testModules, this.vitest?.config.testNamePattern);
    const lines = formatSkipSummary(groups, this.vitest?.config.root ?? process.cwd());
    if (lines.length === 0) return;
    const log = this.vitest ? (line: string) => this.vitest?.logger.log(line) : (line: string) => console.log(line);
    for (const line of lines) log(line);
  }
}

/** Every skipped or todo test, keyed by its reason, in the order first met. */
export function groupSkipped(testModules: ReadonlyArray<TestModule>, namePattern?: RegExp): Map<string, TestCase[]> {
  const groups = new Map<string, TestCase[]>();
  for (const module of testModules) {
    const tests = [...module.children.allTests()];
    const hasOnly = tests.some((test) => test.options.mode === 'only');
    for (const test of tests) {
      const result = test.result();
      if (result.state !== 'skipped') continue;
      const reason = reasonOf(test, result.note, namePattern, hasOnly);
      groups.set(reason, [...(groups.get(reason) ?? []), test]);
    }
  }
  return groups;
}

function reasonOf(test: TestCase, note: string | undefined, namePattern: RegExp | undefined, hasOnly: boolean): string {
  if (note) return note;
  const declared = test.meta().skipReason;
  if (declared) return declared;
  if (test.options.mode === 'todo') return 'todo';
  // A run narrowed with -t or .only marks every other test skipped; that is a choice of the run, not of the test.
  if (namePattern && !namePattern.test(test.fullName)) return `not selected by -t ${String(namePattern)}`;
  if (hasOnly) return 'not selected: another test in the file is .only';
  return NO_REASON;
}

/**
 * `Skipped N tests:` then each reason with its count, longest group first ("no reason given" above all), and where the
 * tests are: one line per test, or one line per describe block when several of its tests share the reason.
 */
export function formatSkipSummary(groups: Map<string, TestCase[]>, root: string): string[] {
  const total = [...groups.values()].reduce((sum, tests) => sum + tests.length, 0);
  if (total === 0) return [];
  const lines = [`Skipped ${total} test${total === 1 ? '' : 's'}:`];
  const ordered = [...groups].sort(
    ([a, x], [b, y]) => Number(b === NO_REASON) - Number(a === NO_REASON) || y.length - x.length,
  );
  for (const [reason, tests] of ordered) {
    lines.push(`  ${reason} (${tests.length})`);
    const places = placesOf(tests, root);
    for (const place of places.slice(0, LISTED_PER_REASON)) lines.push(`    - ${place}`);
    if (places.length > LISTED_PER_REASON) lines.push(`    … and ${places.length - LISTED_PER_REASON} more`);
  }
  return lines;
}

function placesOf(tests: readonly TestCase[], root: string): string[] {
  const bySuite = new Map<string, TestCase[]>();
  for (const test of tests) {
    const key = `${fileOf(test, root)} > ${test.parent.type === 'suite' ? test.parent.fullName : ''}`;
    bySuite.set(key, [...(bySuite.get(key) ?? []), test]);
  }
  return [...bySuite].flatMap(([suite, members]) =>
    members.length > 1
      ? [`${suite} (${members.length} tests)`]
      : members.map((test) => `${fileOf(test, root)} > ${test.fullName}`),
  );
}

function fileOf(test: TestCase, root: string): string {
  const id = test.module.moduleId;
  return id.startsWith(`${root}/`) ? id.slice(root.length + 1) : id;
}
