/**
 * A date pattern: Intl.DateTimeFormat options without the time zone, which `formatDate` takes apart. Declared once as
 * a module constant, so the formatter cache finds it by identity instead of serialising options on every call.
 */
export type DatePattern = Readonly<Omit<Intl.DateTimeFormatOptions, 'timeZone'>>;

interface Formatter {
  format: Intl.DateTimeFormat;
  /** The minute (ms since the epoch / 60 000) `text` was formatted for; NaN before the first use. */
  minute: number;
  text: string;
}

/** Formatters per pattern, then per locale and time zone. */
const formatters = new Map<DatePattern, Map<string, Formatter>>();
let size = 0;

/**
 * Since 1972 every time zone's UTC offset is a whole number of minutes, so every instant of one UTC minute has the
 * same local minute and (for patterns without seconds) the same text; before it some offsets had seconds.
 */
const WHOLE_MINUTE_OFFSETS_FROM = Date.UTC(1972, 0, 1);

/**
 * `date` formatted with `pattern` in `locale` and `timeZone`, as `new Intl.DateTimeFormat(locale, { ...pattern,
 * timeZone }).format(date)` gives it. Building a formatter costs far more than formatting with it, and formatting with
 * a time zone costs several microseconds, so both are kept: one formatter per pattern, locale and time zone, and its
 * last text, reused for any instant of the same minute (patterns showing seconds are always formatted).
 */
export function formatDate(locale: string, pattern: DatePattern, timeZone: string | undefined, date: Date): string {
  let byZone = formatters.get(pattern);
  if (!byZone) {
    byZone = new Map();
    formatters.set(pattern, byZone);
  }
  const key = timeZone === undefined ? locale : `${locale}\u0000${timeZone}`;
  let formatter = byZone.get(key);
  if (!formatter) {
    formatter = { format: new Intl.DateTimeFormat(locale, { ...pattern, timeZone }), minute: NaN, text: '' };
    // Bounded: locales and time zones come from user preferences, so the set of keys is small but not closed.
    if (size >= 500) {
      for (const zones of formatters.values()) zones.clear();
      size = 0;
    }
    byZone.set(key, formatter);
    size += 1;
  }
  const ms = date.getTime();
  if (!(ms >= WHOLE_MINUTE_OFFSETS_FROM) || showsSeconds(pattern)) return formatter.format.format(date);
  const minute = Math.floor(ms / 60_000);
  if (minute !== formatter.minute) {
    formatter.text = formatter.format.format(date);
    formatter.minute = minute;
  }
  return formatter.text;
}

function showsSeconds(pattern: DatePattern): boolean {
  const { second, fractionalSecondDigits, timeStyle } = pattern;
  return (
    second !== undefined || fractionalSecondDigits !== undefined || (timeStyle !== undefined && timeStyle !== 'short')
  );
}
