import { describe, expect, it } from 'vitest';
import { plainCopy } from '../../../adapters/shared/plain-copy.js';

describe('plainCopy', () => {
  it('gives what structuredClone gives for plain data, sharing nothing with the input', () => {
    const input = {
      text: 'hi',
      n: -0,
      flag: false,
      none: null,
      missing: undefined,
      list: [1, { deep: ['x', { deeper: true }] }],
      nested: { a: { b: { c: 'd' } } },
    };
    const copy = plainCopy(input);
    expect(copy).toStrictEqual(structuredClone(input));
    expect(Object.is(copy.n, -0)).toBe(true);
    expect('missing' in copy).toBe(true);
    copy.nested.a.b.c = 'changed';
    (copy.list[1] as { deep: unknown[] }).deep.push('more');
    expect(input.nested.a.b.c).toBe('d');
    expect(input.list[1]).toStrictEqual({ deep: ['x', { deeper: true }] });
  });

  it('copies own enumerable keys only, in their order, as structuredClone does', () => {
    const input = Object.create(null) as Record<string, unknown>;
    input['b'] = 1;
    input['a'] = { z: 1, y: 2 };
    input['1'] = 'index first';
    Object.defineProperty(input, 'hidden', { value: 'not enumerable', enumerable: false });
    const copy = plainCopy(input);
    expect(Object.keys(copy)).toEqual(Object.keys(structuredClone(input)));
    expect(Object.keys(copy['a'] as object)).toEqual(['z', 'y']);
    expect('hidden' in copy).toBe(false);
    // A polluted Object.prototype lends no keys to the copy.
    Object.defineProperty(Object.prototype, 'polluted', {
      value: 'x',
      enumerable: true,
      configurable: true,
      writable: true,
    });
    try {
      expect(Object.keys(plainCopy({ own: 1 }))).toEqual(['own']);
      expect(Object.hasOwn(plainCopy({ own: 1 }), 'polluted')).toBe(false);
    } finally {
      delete (Object.prototype as Record<string, unknown>)['polluted'];
    }
  });

  it('copies values that are not plain objects through structuredClone', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const copy = plainCopy({ at, bytes: new Uint8Array([1, 2]), tags: new Set(['a']) });
    expect(copy.at).not.toBe(at);
    expect(copy.at).toBeInstanceOf(Date);
    expect(copy.at.getTime()).toBe(at.getTime());
    expect([...copy.bytes]).toEqual([1, 2]);
    expect(copy.tags).toEqual(new Set(['a']));
  });

  it('refuses functions and symbols as structuredClone does', () => {
    expect(() => plainCopy({ fn: () => 1 })).toThrow();
    expect(() => plainCopy({ s: Symbol('s') })).toThrow();
  });

  it('survives a cycle', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a['self'] = a;
    const copy = plainCopy(a);
    expect(copy).not.toBe(a);
    expect(copy['name']).toBe('a');
  });
});
