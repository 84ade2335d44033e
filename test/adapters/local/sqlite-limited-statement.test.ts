import { describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../../adapters/local/sqlite-database.js';
import { limitedStatement } from '../../../adapters/local/sqlite-limited-statement.js';

describe('limitedStatement', () => {
  it('reads at most the limit, one prepared statement per limit, every row past 2^31 - 1, and refuses a non-integer', () => {
    // Prepare
    const db = openSqliteDatabase(':memory:');
    db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY)');
    for (let n = 1; n <= 5; n += 1) db.prepare('INSERT INTO t VALUES (?)').run(n);
    const upTo = limitedStatement(db, 'SELECT n FROM t WHERE n >= ? ORDER BY n LIMIT {limit}');

    // Act & Assess
    expect(upTo(2).all(2)).toEqual([{ n: 2 }, { n: 3 }]);
    expect(upTo(0).all(1)).toEqual([]);
    expect(upTo(2)).toBe(upTo(2));
    expect(upTo(1e12).all(4)).toEqual([{ n: 4 }, { n: 5 }]);
    for (const bad of [1.5, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => upTo(bad)).toThrow(RangeError);
    db.close();
  });
});
