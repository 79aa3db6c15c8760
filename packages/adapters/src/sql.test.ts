import { describe, expect, it } from 'vitest';
import { SqlLiteralError } from './errors.js';
import { rawSql, sql, sqlIdent, sqlLiteral, sqlString } from './sql.js';

describe('sql literal formatter', () => {
  it('escapes quotes, backslashes and control characters', () => {
    expect(sqlString("it's")).toBe("'it\\'s'");
    expect(sqlString('a\\b')).toBe("'a\\\\b'");
    expect(sqlString('a\nb\0c\td')).toBe("'a\\nb\\0c\\td'");
    expect(sqlString('\x01')).toBe("'\\x01'");
  });

  it('renders numbers, booleans, dates, null and arrays', () => {
    expect(sqlLiteral(42)).toBe('42');
    expect(sqlLiteral(0.5)).toBe('0.5');
    expect(sqlLiteral(10n ** 20n)).toBe('100000000000000000000');
    expect(sqlLiteral(true)).toBe('1');
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(new Date(1_700_000_000_500))).toBe('toDateTime(1700000000)');
    expect(sqlLiteral(['a', 1])).toBe("['a', 1]");
  });

  it('refuses non-finite numbers and invalid dates', () => {
    expect(() => sqlLiteral(Number.POSITIVE_INFINITY)).toThrow(SqlLiteralError);
    expect(() => sqlLiteral(new Date(Number.NaN))).toThrow(SqlLiteralError);
  });

  it('accepts only plain identifiers', () => {
    expect(sqlIdent('clicks_v2')).toBe('clicks_v2');
    expect(() => sqlIdent('x; DROP TABLE y')).toThrow(SqlLiteralError);
    expect(() => sqlIdent('`x`')).toThrow(SqlLiteralError);
  });

  it('renders template values as literals and trusted fragments as-is', () => {
    const q = sql`SELECT * FROM ${rawSql(sqlIdent('t'))} WHERE ip = ${"1.2.3.4'; DROP TABLE t; --"} LIMIT ${10}`;
    expect(q.text).toBe("SELECT * FROM t WHERE ip = '1.2.3.4\\'; DROP TABLE t; --' LIMIT 10");
  });
});
