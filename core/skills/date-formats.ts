const formatters = new Map<string, Intl.DateTimeFormat>();

/** A shared Intl.DateTimeFormat per locale and options: building one costs far more than formatting with it. */
export function dateFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}\u0000${JSON.stringify(options)}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, options);
    // Bounded: locales and time zones come from user preferences, so the set of keys is small but not closed.
    if (formatters.size >= 500) formatters.clear();
    formatters.set(key, formatter);
  }
  return formatter;
}
