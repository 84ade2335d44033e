import type { TestCase, TestModule } from 'vitest/node';
import { describe, expect, it } from 'vitest';
import { formatSkipSummary, groupSkipped, NO_REASON } from '../support/skip-summary-reporter.js';

interface Shape {
  name: string;
  suite?: string;
  state?: 'passed' | 'skipped';
  note?: string;
  skipReason?: string;
  mode?: 'run' | 'skip' | 'only' | 'todo';
}

/** Just the parts of vitest's reported tasks the reporter reads. */
function moduleOf(file: string, shapes: Shape[]): TestModule {
  const module = { moduleId: `/repo/${file}` } as unknown as TestModule;
  const tests = shapes.map((shape) => {
    const suite = shape.suite ?? 'suite';
    return {
      module,
      fullName: `${suite} > ${shape.name}`,
      parent: { type: 'suite', fullName: suite },
      options: { mode: shape.mode ?? (shape.state === 'passed' ? 'run' : 'skip') },
      meta: () => (shape.skipReason ? { skipReason: shape.skipReason } : {}),
      result: () => ({ state: shape.state ?? 'skipped', note: shape.note }),
    } as unknown as TestCase;
  });
  Object.assign(module, { children: { allTests: () => tests.values() } });
  return module;
}

describe('the skip summary', () => {
  it('groups skipped tests by the note or declared reason, and marks a bare skip as having none', () => {
    // Prepare
    const modules = [
      moduleOf('test/a.test.ts', [
        { name: 'runs', state: 'passed' },
        { name: 'needs AWS 1', suite: 'aws', skipReason: 'set IT_AWS=1' },
        { name: 'needs AWS 2', suite: 'aws', skipReason: 'set IT_AWS=1' },
        { name: 'bare', suite: 'other' },
      ]),
      moduleOf('test/b.test.ts', [
        { name: 'no pcm', note: 'the recognizer does not declare pcm' },
        { name: 'later', mode: 'todo' },
      ]),
    ];

    // Act
    const groups = groupSkipped(modules);
    const lines = formatSkipSummary(groups, '/repo');

    // Assess
    expect([...groups.keys()]).toEqual(['set IT_AWS=1', NO_REASON, 'the recognizer does not declare pcm', 'todo']);
    expect(lines).toEqual([
      'Skipped 5 tests:',
      `  ${NO_REASON} (1)`,
      '    - test/a.test.ts > other > bare',
      '  set IT_AWS=1 (2)',
      '    - test/a.test.ts > aws (2 tests)',
      '  the recognizer does not declare pcm (1)',
      '    - test/b.test.ts > suite > no pcm',
      '  todo (1)',
      '    - test/b.test.ts > suite > later',
    ]);
  });

  it('names a run narrowed by -t or .only as the reason rather than the test', () => {
    const filtered = groupSkipped([moduleOf('test/a.test.ts', [{ name: 'other' }])], /wanted/);
    expect([...filtered.keys()]).toEqual(['not selected by -t /wanted/']);
    const only = groupSkipped([
      moduleOf('test/a.test.ts', [{ name: 'chosen', state: 'passed', mode: 'only' }, { name: 'other' }]),
    ]);
    expect([...only.keys()]).toEqual(['not selected: another test in the file is .only']);
  });

  it('prints nothing when nothing was skipped', () => {
    expect(
      formatSkipSummary(groupSkipped([moduleOf('test/a.test.ts', [{ name: 'runs', state: 'passed' }])]), '/repo'),
    ).toEqual([]);
  });
});
