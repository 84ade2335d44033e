import { runInThisContext } from 'node:vm';
import { Compile } from 'typebox/compile';
import { Guard } from 'typebox/guard';
import { describe, expect, it } from 'vitest';
import { turnBodySchema } from '../../entrypoints/http/schemas.js';
import {
  typeBoxValidatorCompiler,
  validatorCompiler,
  type GeneratedCheck,
} from '../../entrypoints/http/validator-compiler.js';
import { generatedChecks } from '../../entrypoints/lambda/api/typebox-on-first-use.js';
import { DEFAULT_MAX_TEXT_LENGTH } from '../../scripts/api-app-at-build.js';
import { generatedRouteChecks, precompileApiValidators } from '../../scripts/precompile-validators.js';

const parts = await generatedRouteChecks();

/** A generated check evaluated as the bundle evaluates it, with TypeBox's Guard in scope. */
const evaluate = (code: string): GeneratedCheck =>
  (runInThisContext(`(Guard) => ${code}`) as (guard: typeof Guard) => GeneratedCheck)(Guard);
const lookup = generatedChecks(new Map(parts.map(({ key, code }) => [key, () => evaluate(code)])));

const text = (length: number) => 'x'.repeat(length);
/** Inputs the API takes, valid for one route part or another; each is then taken apart below. */
const SAMPLES: Record<string, unknown>[] = [
  {},
  { id: 'c_1' },
  { id: text(128) },
  { limit: 10 },
  { limit: '10' },
  { limit: 10, cursor: 'abc-DEF_123' },
  { cursor: 'x' },
  { 'idempotency-key': 'key-1', host: 'example.com', 'content-type': 'application/json', authorization: 'Bearer x' },
  { text: 'hello' },
  { text: text(DEFAULT_MAX_TEXT_LENGTH) },
  // Length counts code points: 2,000 of these are 4,000 UTF-16 units.
  { text: '😀'.repeat(DEFAULT_MAX_TEXT_LENGTH) },
  { text: 'hi', speech: { format: 'mp3', voice: 'nova' } },
  { audio: { data: 'AAAA', format: 'wav' } },
  { audio: { data: 'UklGRg==', format: 'pcm', sampleRate: 16_000, channels: 1 }, speech: {} },
  { title: 'Trip' },
  { units: 'metric', language: 'en-US', timeZone: 'Europe/Paris', homeCity: 'Paris', voice: 'nova' },
  { units: 'imperial' },
];
/** What each property of a sample is replaced with: right and wrong strings, numbers and other values. */
const REPLACEMENTS: unknown[] = [
  '',
  'a',
  'c_1',
  'not an id',
  'a.b',
  text(129),
  text(DEFAULT_MAX_TEXT_LENGTH + 1),
  '😀'.repeat(DEFAULT_MAX_TEXT_LENGTH + 1),
  '10',
  '0',
  '101',
  '1e1',
  'AAAA',
  'AAA',
  'AA==',
  'A B=',
  'wav',
  'flac',
  'ogg',
  'metric',
  'kelvin',
  'en-US',
  'e',
  'key with spaces',
  0,
  1,
  8,
  9,
  10,
  100,
  101,
  1.5,
  -1,
  384_000,
  384_001,
  Number.NaN,
  null,
  true,
  [],
  {},
  undefined,
];

/** Every sample, and each with one property (at any depth) replaced, removed, or a stranger added. */
function values(): unknown[] {
  const out: unknown[] = [undefined, null, 'x', 1, []];
  const visit = (sample: Record<string, unknown>, rebuild: (inner: Record<string, unknown>) => unknown) => {
    out.push(rebuild(sample), rebuild({ ...sample, stranger: 'x' }));
    for (const [key, value] of Object.entries(sample)) {
      const { [key]: _removed, ...without } = sample;
      out.push(rebuild(without));
      for (const replacement of REPLACEMENTS) out.push(rebuild({ ...sample, [key]: replacement }));
      if (typeof value === 'object' && value !== null && !Array.isArray(value))
        visit(value as Record<string, unknown>, (inner) => rebuild({ ...sample, [key]: inner }));
    }
  };
  for (const sample of SAMPLES) visit(sample, (value) => value);
  return out;
}

const ALL = values();

describe('route validators generated when the Lambda API is bundled (scripts/precompile-validators.ts)', () => {
  it('collects every schema part the routes validate, the turn body with the default text limit', () => {
    const uses = parts.flatMap((part) => part.uses.map(({ method, url, httpPart }) => `${method} ${url} ${httpPart}`));
    expect(uses).toEqual(
      expect.arrayContaining([
        'GET /v1/conversations/:id params',
        'GET /v1/conversations querystring',
        'POST /v1/conversations/:id/turns headers',
        'POST /v1/conversations/:id/turns body',
        'PATCH /v1/me/preferences body',
      ]),
    );
    expect(new Set(parts.map((part) => part.key)).size).toBe(parts.length);
  });

  it("generates checks that accept and refuse exactly what TypeBox's Check does, for every route schema part", () => {
    for (const { schema, code, uses } of parts) {
      const check = evaluate(code);
      const typebox = Compile(schema);
      const accepted = ALL.filter((value) => typebox.Check(value)).length;
      // Both answers occur for each part, so the comparison can tell a check that accepts or refuses everything.
      expect([uses[0], accepted > 0 && accepted < ALL.length]).toEqual([uses[0], true]);
      for (const value of ALL) expect([uses[0], value, check(value)]).toEqual([uses[0], value, typebox.Check(value)]);
    }
  });

  it('validates each part as TypeBox alone does: the same value passed on, converted, or the same errors', async () => {
    // The bundle's module carries these very checks.
    const module = await precompileApiValidators();
    for (const { key, code } of parts) expect(module).toContain(`[${JSON.stringify(key)}, () => ${code}]`);
    let accepted = 0;
    for (const { schema, uses } of parts) {
      for (const use of uses) {
        const route = { schema, ...use };
        const ours = validatorCompiler(lookup)(route) as (value: unknown) => unknown;
        const theirs = typeBoxValidatorCompiler(route) as (value: unknown) => unknown;
        for (const value of ALL) {
          // Each is given its own copy: a query string's digits are converted in place.
          const [a, b] = [ours(structuredClone(value)), theirs(structuredClone(value))] as { value?: unknown }[];
          expect([use, value, a]).toEqual([use, value, b]);
          if (a && 'value' in a) accepted += 1;
        }
      }
    }
    expect(accepted).toBeGreaterThan(100);
  });

  it("finds the default limit's turn body built again at run time, and leaves another limit's to TypeBox", () => {
    expect(lookup(turnBodySchema(DEFAULT_MAX_TEXT_LENGTH))).toBeTypeOf('function');
    const other = turnBodySchema(40);
    expect(lookup(other)).toBeUndefined();
    const validate = validatorCompiler(lookup)({ schema: other, httpPart: 'body', method: 'POST', url: '/' }) as (
      value: unknown,
    ) => { value?: unknown; error?: unknown };
    expect(validate({ text: text(40) })).toEqual({ value: { text: text(40) } });
    expect(validate({ text: text(41) }).error).toEqual(Compile(other).Errors({ text: text(41) }));
  });
});
