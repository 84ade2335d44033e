/** Numbers and durations spoken in words or written in digits ("twenty five", "an hour and a half", "1.5"). */
import { adjacent, type EntityMatch, type Token } from './entity-tokens.js';

const UNITS: Record<string, number> = {
  second: 1,
  seconds: 1,
  sec: 1,
  secs: 1,
  minute: 60,
  minutes: 60,
  min: 60,
  mins: 60,
  hour: 3600,
  hours: 3600,
  hr: 3600,
  hrs: 3600,
  day: 86_400,
  days: 86_400,
};
const SMALL = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
/** `indexOf` in SMALL and TENS as map lookups (first index, as indexOf gives), for the per-token number scan. */
const SMALL_INDEX = indexOf(SMALL);
const TENS_INDEX = indexOf(TENS);
/** A whole number or decimal in digits. */
const DIGITS = /^\d+(?:\.\d+)?$/;
/** Quantities that only mean a number in front of a unit ("an hour", "half a minute", "a couple of hours"). */
const UNIT_QUANTITIES: Record<string, number> = { a: 1, an: 1, half: 0.5, quarter: 0.25, couple: 2 };
const ARTICLES = new Set(['a', 'an']);

/** One "<quantity> <unit>" group, with "and a half" before or after the unit; `next` is the token after it. */
export function durationPart(tokens: Token[], i: number): { seconds: number; next: number } | undefined {
  const quantity = numberAt(tokens, i);
  let next = quantity?.next ?? i;
  let amount = quantity?.value;
  if (amount === undefined) {
    let word = tokens[next]?.text ?? '';
    if (ARTICLES.has(word) && ['half', 'quarter', 'couple'].includes(tokens[next + 1]?.text ?? ''))
      word = tokens[(next += 1)]?.text ?? '';
    amount = UNIT_QUANTITIES[word];
    if (amount === undefined) return undefined;
    next += 1;
    if (tokens[next]?.text === 'of') next += 1;
    if (amount !== 1 && ARTICLES.has(tokens[next]?.text ?? '')) next += 1;
  }
  if (andAHalf(tokens, next)) {
    amount += 0.5;
    next += 3;
  }
  const unit = UNITS[tokens[next]?.text ?? ''];
  if (unit === undefined || !adjacent(tokens, next - 1)) return undefined;
  next += 1;
  if (andAHalf(tokens, next)) {
    amount += 0.5;
    next += 3;
  }
  return { seconds: amount * unit, next };
}

/** True when the token is read as a unit ("minutes", "hr"), as durationPart reads the token after a quantity. */
export function isUnit(token: Token): boolean {
  return UNIT_NAMES.has(token.text);
}

/**
 * Every name for which UNITS[name] is defined, those it inherits from Object.prototype too, so that a set lookup (a
 * fraction of a property lookup by a string made at run time) answers exactly as the lookup durationPart makes.
 */
const UNIT_NAMES = new Set<string>();
for (let from: object | null = UNITS; from !== null; from = Object.getPrototypeOf(from) as object | null)
  for (const name of Object.getOwnPropertyNames(from)) if (UNITS[name] !== undefined) UNIT_NAMES.add(name);

/** "and a half" (or "and an half") at token `at`. */
function andAHalf(tokens: Token[], at: number): boolean {
  return tokens[at]?.text === 'and' && ARTICLES.has(tokens[at + 1]?.text ?? '') && tokens[at + 2]?.text === 'half';
}

/** A number in digits ("20", "1.5") or words ("twenty five", "one hundred and five"). */
function numberAt(tokens: Token[], i: number): { value: number; next: number } | undefined {
  const first = tokens[i]?.text ?? '';
  // Only a token that starts with a digit can be digits: the common word is turned away without the regex.
  if (isDigit(first.charCodeAt(0)) && DIGITS.test(first)) return { value: Number(first), next: i + 1 };
  let total = 0;
  let current = 0;
  let next = i;
  while (next === i || adjacent(tokens, next - 1, /^[\s-]+$/)) {
    const word = tokens[next]?.text ?? '';
    const small = SMALL_INDEX.get(word) ?? -1;
    const tens = TENS_INDEX.get(word) ?? -1;
    const rest = current % 100;
    const after = tokens[next + 1]?.text ?? '';
    if (small >= 0 && (next === i || (small > 0 && (rest === 0 || (rest >= 20 && rest % 10 === 0 && small < 10)))))
      current += small;
    else if (tens >= 2 && rest === 0) current += tens * 10;
    else if (word === 'hundred' && next > i && current > 0 && current < 100) current *= 100;
    else if (word === 'thousand' && next > i && current > 0 && current < 1000)
      [total, current] = [total + current * 1000, 0];
    else if (!(word === 'and' && current >= 100 && (SMALL_INDEX.has(after) || TENS_INDEX.has(after)))) break;
    next += 1;
  }
  return next > i ? { value: total + current, next } : undefined;
}

export function numbers(text: string, tokens: Token[]): EntityMatch[] {
  const found: EntityMatch[] = [];
  for (let i = 0; i < tokens.length;) {
    const n = numberAt(tokens, i);
    if (!n) {
      i += 1;
      continue;
    }
    const start = (tokens[i] as Token).start;
    const end = (tokens[n.next - 1] as Token).end;
    found.push({ entity: 'number', value: n.value, raw: text.slice(start, end), start, end });
    i = n.next;
  }
  return found;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function indexOf(words: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  words.forEach((word, i) => {
    if (!index.has(word)) index.set(word, i);
  });
  return index;
}
