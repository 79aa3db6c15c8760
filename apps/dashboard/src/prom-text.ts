/**
 * A small parser of the Prometheus text exposition format (version 0.0.4), enough for what
 * prom-client writes: `# HELP` / `# TYPE` comments, samples `name{label="value",…} value
 * [timestamp]`, label values with `\\`, `\"` and `\n` escapes, and `+Inf`, `-Inf`, `NaN`.
 *
 * Samples are indexed by name; labels are a frozen object built with `Object.fromEntries`, so a
 * label named `__proto__` or `constructor` is an own property and never reaches a prototype.
 */

/** One sample line. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A scrape's samples by metric name (histograms: `_bucket`, `_sum`, `_count` separately). */
export type MetricIndex = ReadonlyMap<string, readonly Sample[]>;

/** Lines that are not samples or comments, with why (a scrape keeps going without them). */
export interface ParseResult {
  index: MetricIndex;
  skipped: { line: number; reason: string }[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function parseValue(raw: string): number | undefined {
  if (raw === '+Inf' || raw === 'Inf') return Number.POSITIVE_INFINITY;
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY;
  if (raw === 'NaN') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) return undefined;
  return Number(raw);
}

/** Reads `{a="1",b="2"}` from `line` at `pos` (at the `{`); returns the labels and the end. */
function parseLabels(line: string, pos: number): { pairs: [string, string][]; end: number } {
  const pairs: [string, string][] = [];
  let i = pos + 1;
  for (;;) {
    while (line[i] === ' ') i++;
    if (line[i] === '}') return { pairs, end: i + 1 };
    const m = LABEL_NAME.exec(line.slice(i));
    if (!m) throw new Error(`bad label name at column ${String(i + 1)}`);
    const name = m[0];
    i += name.length;
    if (line[i] !== '=' || line[i + 1] !== '"')
      throw new Error(`expected ="…" after label ${name}`);
    i += 2;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new Error(`unterminated value of label ${name}`);
      if (c === '"') break;
      if (c === '\\') {
        const n = line[i + 1];
        value += n === 'n' ? '\n' : n === '\\' ? '\\' : n === '"' ? '"' : `\\${n ?? ''}`;
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    i++;
    pairs.push([name, value]);
    while (line[i] === ' ') i++;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') throw new Error(`expected , or } after label ${name}`);
  }
}

/** Parses one sample line; throws with the reason when it is not one. */
export function parseSampleLine(line: string): Sample {
  const m = NAME.exec(line);
  if (!m) throw new Error('no metric name');
  const name = m[0];
  let i = name.length;
  let pairs: [string, string][] = [];
  if (line[i] === '{') {
    const l = parseLabels(line, i);
    pairs = l.pairs;
    i = l.end;
  }
  const rest = line.slice(i).trim().split(/\s+/);
  const value = parseValue(rest[0] ?? '');
  if (value === undefined) throw new Error(`bad value ${JSON.stringify(rest[0] ?? '')}`);
  return { name, labels: Object.freeze(Object.fromEntries(pairs)), value };
}

/** Parses a whole scrape. Malformed lines are skipped and reported, never thrown. */
export function parsePrometheusText(text: string): ParseResult {
  const index = new Map<string, Sample[]>();
  const skipped: ParseResult['skipped'] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = (lines[n] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    try {
      const s = parseSampleLine(line);
      const list = index.get(s.name);
      if (list) list.push(s);
      else index.set(s.name, [s]);
    } catch (err) {
      skipped.push({ line: n + 1, reason: (err as Error).message });
    }
  }
  return { index, skipped };
}

/** Whether every label in `match` has the given value in `labels`. */
export function labelsMatch(
  labels: Readonly<Record<string, string>>,
  match: Readonly<Record<string, string>>,
): boolean {
  for (const [k, v] of Object.entries(match)) if (labels[k] !== v) return false;
  return true;
}

/** Sum of every sample of `name` whose labels include `match` (0 when there is none). */
export function sumOf(
  index: MetricIndex,
  name: string,
  match: Readonly<Record<string, string>> = {},
): number {
  let total = 0;
  for (const s of index.get(name) ?? []) if (labelsMatch(s.labels, match)) total += s.value;
  return total;
}

/** Largest sample of `name` (undefined when there is none): a gauge every worker reports. */
export function maxOf(index: MetricIndex, name: string): number | undefined {
  let best: number | undefined;
  for (const s of index.get(name) ?? []) if (best === undefined || s.value > best) best = s.value;
  return best;
}
