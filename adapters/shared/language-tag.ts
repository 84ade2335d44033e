/**
 * The bare language of a tag in either spelling: `en_US` and `en-us` are both `en`. What `split(/[-_]/)[0]` of the
 * lower-cased tag gives, without the regular expression (a call into V8's runtime) and the array of every subtag:
 * adapters ask it on every turn.
 */
export function primaryLanguage(tag: string): string {
  const lower = tag.toLowerCase();
  const hyphen = lower.indexOf('-');
  const underscore = lower.indexOf('_');
  const end = hyphen < 0 ? underscore : underscore < 0 ? hyphen : Math.min(hyphen, underscore);
  return end < 0 ? lower : lower.slice(0, end);
}
