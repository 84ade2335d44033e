import type { Database, Statement } from 'better-sqlite3';

/** Past this a limit means "every row" (SQLite's LIMIT -1): no table here comes near it. */
const MAX_LIMIT = 2 ** 31 - 1;
/** Statements kept per query: callers use a handful of limits (page sizes, the relay's batch). */
const MAX_STATEMENTS = 128;

/**
 * A query whose LIMIT is written into its SQL (`{limit}` in `sql`), prepared once per limit used. SQLite plans with the
 * value bound to a `LIMIT ?`, so it recompiles such a statement on its next run whenever that parameter is bound, and
 * better-sqlite3 binds every parameter on every run: a quarter of the cost of reading a page of turns went to parsing
 * the same SQL again. A limit is a non-negative integer, written as one, so nothing else reaches the SQL.
 */
export function limitedStatement(
  db: Database,
  sql: string,
  options: { pluck?: boolean } = {},
): (limit: number) => Statement {
  const statements = new Map<number, Statement>();
  return (limit) => {
    if (!Number.isInteger(limit) || limit < 0)
      throw new RangeError(`a LIMIT must be a non-negative integer, got ${limit}`);
    const key = limit > MAX_LIMIT ? -1 : limit;
    let statement = statements.get(key);
    if (!statement) {
      if (statements.size >= MAX_STATEMENTS) statements.clear();
      statement = db.prepare(sql.replace('{limit}', String(key)));
      // Rows as their first column (better-sqlite3's pluck), when asked.
      if (options.pluck) statement.pluck();
      statements.set(key, statement);
    }
    return statement;
  };
}
