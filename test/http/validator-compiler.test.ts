import { describe, expect, it } from 'vitest';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { PageQuerySchema } from '../../entrypoints/http/schemas.js';
import { typeBoxValidatorCompiler } from '../../entrypoints/http/validator-compiler.js';

/** What the provider's compiler answered: Value.Convert, then the check. */
function reference(value: unknown) {
  const converted = Value.Convert(PageQuerySchema, value);
  return Compile(PageQuerySchema).Check(converted) ? { value: converted } : { error: true };
}

const query = (entries: Record<string, unknown>) => Object.assign(Object.create(null) as object, entries);

describe('typeBoxValidatorCompiler on a query string', () => {
  const validate = typeBoxValidatorCompiler({
    schema: PageQuerySchema,
    httpPart: 'querystring',
    method: 'GET',
    url: '/',
  }) as (value: unknown) => { value?: unknown; error?: unknown };

  it('passes and converts exactly what Value.Convert and the check passed and converted', () => {
    const cases = [
      {},
      { limit: '10' },
      { limit: '100', cursor: 'abc' },
      { limit: '010' },
      { limit: '1e1' },
      { limit: '-1' },
      { limit: ' 5' },
      { limit: '101' },
      { limit: '0' },
      { limit: ['1', '2'] },
      { limit: '5', other: 'x' },
      { limit: '5', ['__proto__']: 'x' },
      { cursor: '!!' },
    ];
    for (const entries of cases) {
      const expected = reference(query(entries));
      const actual = validate(query(entries));
      if ('error' in expected) expect(actual.error, JSON.stringify(entries)).toBeDefined();
      else expect({ ...(actual.value as object) }, JSON.stringify(entries)).toEqual({ ...expected.value });
    }
  });
});
