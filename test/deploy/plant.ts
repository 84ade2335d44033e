import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/** The small, realistic template set the checks are proven on while deploy/cloudformation is not merged. */
export const VALID_FIXTURES = 'test/deploy/fixtures/valid';

/** One edit of one fixture file: `from` must occur in it (its first occurrence is replaced), so every plant lands. */
export interface Plant {
  file: string;
  from: string;
  to: string;
}

/** Copies the valid fixture set into a fresh folder under `scratch` and plants the edits there. */
export function plantedCopy(scratch: string, plants: Plant[]): string {
  const dir = mkdtempSync(join(scratch, 'set-'));
  cpSync(VALID_FIXTURES, dir, { recursive: true });
  for (const { file, from, to } of plants) {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text, `${file} holds ${JSON.stringify(from)}`).toContain(from);
    writeFileSync(join(dir, file), text.replace(from, to));
  }
  return dir;
}

/** A plant adding a resource (YAML body, unindented) at the top of a template's Resources. */
export const addResource = (file: string, id: string, body: string): Plant => ({
  file,
  from: 'Resources:\n',
  to: `Resources:\n  ${id}:\n${body.replace(/^/gm, '    ')}\n`,
});
