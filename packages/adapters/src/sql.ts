import { SqlLiteralError } from './errors.js';

/**
 * The one place values become SQL text. ClickHouse 18.16 has no query parameters, so every value
 * is validated by zod first and then rendered here as an inert literal.
 */
export type SqlValue = string | number | bigint | boolean | Date | null | readonly SqlValue[];

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '\0': '\\0',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A single-quoted ClickHouse string literal; quotes, backslashes and control bytes are escaped. */
export function sqlString(value: string): string {
  // eslint-disable-next-line no-control-regex
  const body = value.replace(/[\\'\0\n\r\t\b\f\x01-\x07\x0b\x0e-\x1f\x7f]/g, (ch) => {
    const known = ESCAPES[ch];
    if (known !== undefined) return known;
    return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `'${body}'`;
}

/** Renders any supported value as a ClickHouse literal. Dates become `toDateTime(<unix seconds>)`. */
export function sqlLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return sqlString(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new SqlLiteralError(`not a finite number: ${String(value)}`);
    return Number.isInteger(value) ? value.toFixed(0) : String(value);
  }
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms)) throw new SqlLiteralError('invalid date');
    return `toDateTime(${Math.floor(ms / 1000).toFixed(0)})`;
  }
  if (Array.isArray(value)) return `[${value.map((v: SqlValue) => sqlLiteral(v)).join(', ')}]`;
  throw new SqlLiteralError(`unsupported value type: ${typeof value}`);
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** An identifier (database, table, column); only `[A-Za-z_][A-Za-z0-9_]*` is accepted, never quoted input. */
export function sqlIdent(name: string): string {
  if (!IDENT.test(name)) throw new SqlLiteralError(`invalid identifier: ${JSON.stringify(name)}`);
  return name;
}

/** A fragment of SQL whose interpolations were already rendered safely. */
export class Sql {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Raw SQL from trusted code (identifiers via sqlIdent, fixed keywords). Never pass user input. */
export function rawSql(text: string): Sql {
  return new Sql(text);
}

/** Tagged template: `sql\`SELECT * FROM t WHERE ip = ${ip}\`` renders each value as a literal. */
export function sql(strings: TemplateStringsArray, ...values: (SqlValue | Sql)[]): Sql {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += v instanceof Sql ? v.text : sqlLiteral(v);
    out += strings[i + 1] ?? '';
  });
  return new Sql(out);
}
