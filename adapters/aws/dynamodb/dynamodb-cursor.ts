import { ValidationError } from '../../../core/errors.js';

/*
 * A cursor is the part of DynamoDB's LastEvaluatedKey that the query does not already fix, as base64url JSON tagged
 * with its kind. The partition comes from the caller's own user id, never from the cursor, so a cursor can only
 * resume inside the caller's data; anything that does not decode to the expected shape is a ValidationError.
 */
/** Room for the two longest sort keys DynamoDB allows (1 KB each) after JSON and base64. */
const MAX_CURSOR_LENGTH = 3_000;
const MAX_SORT_KEY_BYTES = 1_024;

/** Page sizes must be positive integers: a zero limit would hand back the same cursor forever. */
export function checkPageLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1)
    throw new ValidationError(`page limit must be a positive integer, got ${limit}`);
}

export function encodeCursor(kind: string, position: Record<string, string>): string {
  return Buffer.from(JSON.stringify({ k: kind, ...position }), 'utf8').toString('base64url');
}

/** The position a cursor of `kind` carries, each field a string accepted by `valid`; undefined for no cursor. */
export function decodeCursor<F extends string>(
  cursor: string | undefined,
  kind: string,
  valid: Record<F, (value: string) => boolean>,
): Record<F, string> | undefined {
  if (cursor === undefined) return undefined;
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor))
    throw new ValidationError('invalid cursor');
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new ValidationError('invalid cursor', { cause: error });
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    throw new ValidationError('invalid cursor');
  const record = payload as Record<string, unknown>;
  const fields = Object.keys(valid) as F[];
  if (record['k'] !== kind || Object.keys(record).length !== fields.length + 1)
    throw new ValidationError('invalid cursor');
  const position = {} as Record<F, string>;
  for (const field of fields) {
    const value = record[field];
    if (typeof value !== 'string' || !valid[field](value)) throw new ValidationError('invalid cursor');
    position[field] = value;
  }
  return position;
}

/** Accepts a sort key DynamoDB could have issued under `prefix`; anything else would only come back as its own error. */
export function sortKeyUnder(prefix: string): (value: string) => boolean {
  return (value) =>
    value.startsWith(prefix) && value.length > prefix.length && Buffer.byteLength(value, 'utf8') <= MAX_SORT_KEY_BYTES;
}
