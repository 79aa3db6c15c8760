/**
 * The field declaration as a table for people: one row per field path with its type, limit and
 * what happens when a client gets it wrong. `docs/openrtb-edge.md` is this table, and a test
 * keeps the two equal, so the docs cannot drift from what the edge enforces.
 */
import type { Field, Shape } from './dsl.js';

export interface FieldRow {
  path: string;
  type: string;
  limit: string;
  /** What a value that is wrong or over the limit costs. */
  onViolation: string;
}

function typeOf(f: Field): string {
  switch (f.t) {
    case 'str':
      return 'string';
    case 'num':
      return f.int ? 'integer' : 'number';
    case 'strs':
      return 'string[]';
    case 'nums':
      return 'integer[]';
    case 'obj':
      return 'object';
    case 'objs':
      return 'object[]';
    case 'ext':
      return 'object (any)';
  }
}

function limitOf(f: Field): string {
  switch (f.t) {
    case 'str':
      return `${f.nonEmpty ? '1–' : '≤ '}${String(f.max)} chars`;
    case 'num':
      return `${String(f.min)} … ${String(f.max)}`;
    case 'strs':
      return `≤ ${String(f.maxItems)} items of ≤ ${String(f.max)} chars`;
    case 'nums':
      return `≤ ${String(f.maxItems)} items, ${String(f.min)} … ${String(f.max)}`;
    case 'objs':
      return `${f.minItems > 0 ? `${String(f.minItems)}–` : '≤ '}${String(f.maxItems)} items`;
    case 'obj':
    case 'ext':
      return '';
  }
}

function violationOf(f: Field): string {
  const cuts = f.t === 'str' && f.over === 'cut';
  if (f.p === 'tol') return cuts ? 'wrong type: dropped; too long: cut' : 'dropped';
  const refuse = f.p === 'required' ? 'required; else 400' : '400';
  return cuts ? `wrong type: ${refuse}; too long: cut` : refuse;
}

/** Every field of `shape`, depth first, in declaration order; `ext` contents are not listed. */
export function describeShape(shape: Shape, prefix = ''): FieldRow[] {
  const rows: FieldRow[] = [];
  for (const [k, f] of Object.entries(shape)) {
    const path = prefix + k;
    rows.push({ path, type: typeOf(f), limit: limitOf(f), onViolation: violationOf(f) });
    if (f.t === 'obj') rows.push(...describeShape(f.shape, `${path}.`));
    if (f.t === 'objs') rows.push(...describeShape(f.shape, `${path}[].`));
  }
  return rows;
}

/** The rows as a Markdown table. */
export function markdownTable(rows: readonly FieldRow[]): string {
  const lines = ['| field | type | limit | when wrong |', '| --- | --- | --- | --- |'];
  for (const r of rows) lines.push(`| \`${r.path}\` | ${r.type} | ${r.limit} | ${r.onViolation} |`);
  return `${lines.join('\n')}\n`;
}
