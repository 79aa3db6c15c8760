/**
 * `--help` for the environment: each variable of a zod env schema (the one `loadConfig` reads) with
 * its value type, default and description. Descriptions come from the schema (`.describe()`),
 * else from the JSDoc above the variable in the config module's source file.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { helpTable } from './format.js';

/** One environment variable as `--help` lists it. */
export interface EnvRow {
  readonly name: string;
  /** What it takes: `int`, `eu|us|ap`, `url`, `string`. */
  readonly value: string;
  /** Its default as text; absent when it has none. */
  readonly default?: string;
  /** No default and not optional: the command refuses to start without it. */
  readonly required?: boolean;
  readonly description?: string;
}

/** The parts of a zod schema definition read here (zod 4's `_zod.def`). */
interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  defaultValue?: unknown;
  entries?: Record<string, string | number>;
  values?: readonly unknown[];
  options?: readonly Schema[];
  format?: string;
  checks?: readonly { _zod: { def: { format?: string } } }[];
}
interface Schema {
  _zod: { def: Def };
  description?: string;
}

interface Doc {
  text: string;
  default?: string;
}

/** JSDoc blocks directly above `NAME:` keys in a source file, by name. */
export function jsdocByKey(source: string): Map<string, Doc> {
  const out = new Map<string, Doc>();
  const block = /\/\*\*((?:[^*]|\*(?!\/))*)\*\/\s*([A-Z][A-Z0-9_]*)\s*:/g;
  for (const m of source.matchAll(block)) {
    const body = (m[1] ?? '')
      .split('\n')
      .map((l) => l.replace(/^\s*\*\s?/, ''))
      .join(' ')
      .replace(/\{@link\s+([^}]+)\}/g, '$1');
    const at = body.search(/@default\b/);
    const text = (at < 0 ? body : body.slice(0, at)).replace(/\s+/g, ' ').trim();
    const def =
      at < 0
        ? undefined
        : body
            .slice(at + '@default'.length)
            .split(/\s@\w/)[0]
            ?.trim();
    out.set(m[2] ?? '', { text, ...(def ? { default: def } : {}) });
  }
  return out;
}

function readDocs(sources: readonly (string | URL)[]): Map<string, Doc> {
  const docs = new Map<string, Doc>();
  for (const src of sources) {
    let text: string;
    try {
      const path = typeof src === 'string' && !src.startsWith('file:') ? src : new URL(src);
      text = readFileSync(path, 'utf8');
    } catch {
      continue; // descriptions are a courtesy: a build without sources lists the rest
    }
    for (const [k, v] of jsdocByKey(text)) if (!docs.has(k)) docs.set(k, v);
  }
  return docs;
}

function shown(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? '(empty)' : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Walks wrappers (default, optional, pipe) down to the input type. */
function inspect(schema: Schema): {
  value: string;
  default?: unknown;
  hasDefault: boolean;
  optional: boolean;
  description?: string;
} {
  let s: Schema | undefined = schema;
  let hasDefault = false;
  let optional = false;
  let dflt: unknown;
  let description: string | undefined;
  for (let depth = 0; s && depth < 20; depth++) {
    description ??= s.description;
    const d: Def = s._zod.def;
    switch (d.type) {
      case 'default':
      case 'prefault':
        if (!hasDefault) dflt = d.defaultValue;
        hasDefault = true;
        s = d.innerType;
        continue;
      case 'optional':
      case 'nullable':
        optional = true;
        s = d.innerType;
        continue;
      case 'pipe':
        s = d.in;
        continue;
      case 'enum':
        return end(Object.values(d.entries ?? {}).join('|'));
      case 'literal':
        return end((d.values ?? []).map(String).join('|'));
      case 'number':
        return end(d.checks?.some((c) => c._zod.def.format?.includes('int')) ? 'int' : 'number');
      case 'string':
        return end(d.format ?? 'string');
      case 'union':
        return end((d.options ?? []).map((o) => inspect(o).value).join('|'));
      default:
        return end(d.type);
    }
  }
  return end('string');

  function end(value: string) {
    return {
      value,
      hasDefault,
      optional,
      ...(hasDefault ? { default: dflt } : {}),
      ...(description === undefined ? {} : { description }),
    };
  }
}

/**
 * The variables of `schema` for `--help`. `sources` are files (paths or `file:` URLs, e.g.
 * `import.meta.resolve('./config.js')`) whose JSDoc describes them; the adapters' own config
 * (the variables every service shares) is always read too.
 */
export function envRows(schema: z.ZodObject, sources: readonly (string | URL)[] = []): EnvRow[] {
  const ownConfig = new URL(
    import.meta.url.endsWith('.ts') ? '../config.ts' : '../config.js',
    import.meta.url,
  );
  const docs = readDocs([...sources, ownConfig]);
  return Object.entries(schema.shape as Record<string, unknown>).map(([name, s]) => {
    const info = inspect(s as Schema);
    const doc = docs.get(name);
    // A computed default says more than prose (`cores` → 2); prose says more than an object.
    const dflt = (info.hasDefault ? shown(info.default) : undefined) ?? doc?.default;
    const description = info.description ?? (doc?.text === '' ? undefined : doc?.text);
    return {
      name,
      value: info.value,
      ...(dflt === undefined ? {} : { default: dflt }),
      ...(info.hasDefault || info.optional ? {} : { required: true }),
      ...(description === undefined ? {} : { description }),
    };
  });
}

/** `--help` lines of environment rows. */
export function formatEnvRows(rows: readonly EnvRow[]): string[] {
  return helpTable(
    rows.map((r) => [
      `${r.name}=<${r.value}>`,
      [
        r.required ? 'required.' : r.default === undefined ? '' : `default ${r.default}.`,
        r.description ?? '',
      ]
        .filter(Boolean)
        .join(' '),
    ]),
  );
}
