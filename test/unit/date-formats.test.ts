import { describe, expect, it } from 'vitest';
import { formatDate, type DatePattern } from '../../core/skills/date-formats.js';

const CLOCK: DatePattern = { hour: 'numeric', minute: '2-digit' };
const SECONDS: DatePattern = { hour: 'numeric', minute: '2-digit', second: '2-digit' };

function intl(locale: string, pattern: DatePattern, timeZone: string, date: Date): string {
  return new Intl.DateTimeFormat(locale, { ...pattern, timeZone }).format(date);
}

describe('formatDate', () => {
  it('formats as Intl.DateTimeFormat does, per locale and time zone, across minutes and a DST change', () => {
    // Prepare: every 20 s over the 2026 spring-forward hour in New York, in three zones and two locales
    const start = Date.parse('2026-03-08T06:58:00Z');
    for (let ms = start; ms < start + 2 * 3_600_000; ms += 20_000) {
      const date = new Date(ms);
      for (const zone of ['America/New_York', 'Asia/Kolkata', 'UTC'])
        for (const locale of ['en-US', 'en-GB']) {
          // Act / Assess
          expect(formatDate(locale, CLOCK, zone, date)).toBe(intl(locale, CLOCK, zone, date));
          expect(formatDate(locale, SECONDS, zone, date)).toBe(intl(locale, SECONDS, zone, date));
        }
    }
  });

  it('formats dates before whole-minute offsets without reusing a minute', () => {
    const date = new Date('1900-06-01T12:00:10Z');
    const later = new Date('1900-06-01T12:00:40Z');
    expect(formatDate('en-US', CLOCK, 'Europe/Amsterdam', date)).toBe(intl('en-US', CLOCK, 'Europe/Amsterdam', date));
    expect(formatDate('en-US', CLOCK, 'Europe/Amsterdam', later)).toBe(intl('en-US', CLOCK, 'Europe/Amsterdam', later));
  });

  it('refuses an unknown time zone as Intl does', () => {
    expect(() => formatDate('en-US', CLOCK, 'Nowhere/Atlantis', new Date())).toThrow(RangeError);
  });
});
