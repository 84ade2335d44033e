import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { primaryLanguage } from '../../../adapters/shared/language-tag.js';

describe('primaryLanguage', () => {
  it('reads the primary language subtag as splitting the lower-cased tag at - and _ does', () => {
    const tag = fc.string({ unit: fc.constantFrom(...'enENfr-_xİK'.split('')), maxLength: 8 });
    fc.assert(
      fc.property(tag, (t) => {
        expect(primaryLanguage(t), t).toBe(t.toLowerCase().split(/[-_]/)[0]);
      }),
      { numRuns: 5000 },
    );
  });

  it('reads both spellings of a tag', () => {
    expect(['en-US', 'en_us', 'EN', 'pt-BR-x-y', 'zh_Hant_TW', ''].map(primaryLanguage)).toEqual([
      'en',
      'en',
      'en',
      'pt',
      'zh',
      '',
    ]);
  });
});
