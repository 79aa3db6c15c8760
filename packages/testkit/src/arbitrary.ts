/**
 * fast-check arbitraries derived from a wire contract's field declarations (`fields/dsl.ts`), so a
 * property test generates from the space the edge accepts, as the declaration says, instead of a
 * hand-written sample. Test-only: contracts does not depend on fast-check.
 *
 * For every field, by its policy:
 * - required: always a value within its limits;
 * - read: absent, or within its limits;
 * - tolerated: absent, within its limits, or hostile (wrong type, out of range, over its count or
 *   length) — which the edge must drop, as if absent.
 * Within limits means boundaries too: empty and maximum-length strings (counted in UTF-16 code
 * units, as the limits are) made of multi-byte characters, surrogate pairs, lone surrogates and
 * control characters; `min`, `max` and their neighbours; empty and maximum-count lists. Describing
 * (`cut`) strings also come longer than their limit, some with a surrogate pair across the cut.
 * Every object may carry unknown members, `__proto__`, `constructor` and `prototype` among them,
 * as own properties (the way `JSON.parse` creates them from a hostile body).
 */
import fc from 'fast-check';
import type {
  Field,
  NumField,
  NumsField,
  ObjsField,
  Shape,
  StrField,
  StrsField,
} from '@streambid/contracts';

type Json = unknown;
type Obj = Record<string, Json>;

/** Keys that name `Object.prototype` members or reach the prototype itself. */
export const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'isPrototypeOf',
] as const;

/** Strings worth trying in any string field: prototype names, macros, encodings, currencies. */
export const SPECIAL_STRINGS: readonly string[] = [
  '',
  ...PROTO_KEYS,
  'USD',
  'EUR',
  'JPY',
  '${AUCTION_PRICE}',
  '%24%7BAUCTION_PRICE%7D',
  '%',
  '%zz',
  '%E0%A4%A',
  '\u0000',
  '\ud800',
  '\udfff',
  '\udc00\ud800',
  '😀',
  '\u2028\u2029',
  '\ufeff',
  '<script>alert(1)</script>',
  '"quoted"',
  'back\\slash',
  '../../etc/passwd',
  'a'.repeat(3),
];

const ABSENT: unique symbol = Symbol('absent');
type Maybe = Json | typeof ABSENT;

/** Options of {@link arbitraryOf}. */
export interface ArbitraryOptions {
  /** Generate hostile values for tolerated fields (the edge must drop them). @default true */
  hostile?: boolean;
  /** Unknown members on every object, prototype names among them. @default true */
  unknownKeys?: boolean;
  /**
   * Values to favour for string fields (and string-list items) of a given name, e.g. currencies
   * for `bidfloorcur`, so generated requests reach the decisions behind them. Values outside a
   * field's limits are left out for that field.
   */
  hints?: Readonly<Record<string, readonly string[]>>;
}

interface Ctx {
  /**
   * Lists may take their maximum count. Off inside a list at its maximum count, so maxima do not
   * multiply (64 imps × 128 deals × 1,024 seats would be a 500 MB request).
   */
  big: boolean;
  hostile: boolean;
  unknownKeys: boolean;
  hints: Readonly<Record<string, readonly string[]>>;
}

const char = (c: number): string => String.fromCharCode(c);

/** One or two UTF-16 code units, biased to what breaks text handling. */
const unit: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map(char) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x1f }).map(char) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '\u007f',
      '\u0085',
      '\u00a0',
      '\u2028',
      '\u2029',
      '\ufeff',
      '\u202e',
      '\u200d',
      '\ufffd',
      '\uffff',
    ),
  },
  { weight: 3, arbitrary: fc.integer({ min: 0x80, max: 0xd7ff }).map(char) },
  { weight: 2, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map(char) },
  { weight: 2, arbitrary: fc.integer({ min: 0x10000, max: 0x10ffff }).map(String.fromCodePoint) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('"', '\\', '%', '$', '{', '}', '&', '=', '?', '#', '<', '/', '.'),
  },
);

/** A short pattern of units that long strings repeat (cheap to generate at any length). */
const pattern = fc.array(unit, { minLength: 1, maxLength: 6 }).map((us) => us.join(''));

/** `p` repeated and cut to exactly `n` code units (a pair may be split: a lone surrogate). */
function fill(p: string, n: number): string {
  if (n <= 0) return '';
  let s = p;
  while (s.length < n) s += s;
  return s.slice(0, n);
}

/** A string of `lo`..`hi` code units. */
function sized(lo: number, hi: number): fc.Arbitrary<string> {
  return fc
    .tuple(pattern, fc.integer({ min: lo, max: Math.max(lo, hi) }))
    .map(([p, n]) => fill(p, n));
}

function hinted(ctx: Ctx, name: string, ok: (s: string) => boolean): string[] {
  return (ctx.hints[name] ?? []).filter(ok);
}

/** Strings within `[minLen, max]` code units, boundaries included. */
function strWithin(ctx: Ctx, name: string, minLen: number, max: number): fc.Arbitrary<string> {
  const ok = (s: string): boolean => s.length >= minLen && s.length <= max;
  const specials = SPECIAL_STRINGS.filter(ok);
  const hints = hinted(ctx, name, ok);
  const arbs: fc.WeightedArbitrary<string>[] = [
    {
      weight: 6,
      arbitrary: fc
        .array(unit, { minLength: minLen, maxLength: Math.min(max, Math.max(minLen, 12)) })
        .map((us) => us.join(''))
        .map((s) => (s.length > max ? s.slice(0, max) : s)),
    },
    { weight: 2, arbitrary: sized(minLen, max) },
    { weight: 1, arbitrary: sized(max, max) },
  ];
  if (max - 1 >= minLen) arbs.push({ weight: 1, arbitrary: sized(max - 1, max - 1) });
  if (specials.length > 0) arbs.push({ weight: 2, arbitrary: fc.constantFrom(...specials) });
  if (hints.length > 0) arbs.push({ weight: 10, arbitrary: fc.constantFrom(...hints) });
  return fc.oneof(...arbs);
}

/** Describing strings over their limit (cut by the edge), some with a pair across the cut. */
function strOver(max: number): fc.Arbitrary<string> {
  return fc.oneof(
    sized(max + 1, max * 2 + 2),
    pattern.map((p) => `${fill(p, max - 1)}😀tail`),
  );
}

const WRONG_FOR_STR: readonly Json[] = [null, true, false, 0, -1, 12.5, [], {}, ['x'], { x: 'y' }];
const WRONG_FOR_NUM: readonly Json[] = [null, true, '1', '', '1e3', [], {}, [1], { v: 1 }];
const WRONG_FOR_LIST: readonly Json[] = [null, true, 0, 'a,b', '', {}, { 0: 'a' }];
const WRONG_FOR_OBJ: readonly Json[] = [null, true, 0, 'x', '', [], [{}]];

const wrong = (pool: readonly Json[]): fc.Arbitrary<Json> =>
  fc.constantFrom(...pool).map((v) => structuredClone(v));

/** The next double below / above `x`. */
function nextDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const b = new Float64Array([x]);
  const u = new BigInt64Array(b.buffer);
  u[0] = (u[0] ?? 0n) + (x > 0 ? -1n : 1n);
  return b[0] ?? x;
}
const nextUp = (x: number): number => -nextDown(-x);

/** Numbers within `[min, max]`: the bounds, their neighbours inside, zero, then anything. */
function numWithin(f: NumField | NumsField): fc.Arbitrary<number> {
  const { min, max } = f;
  if (f.int) {
    const edges = [min, max, min + 1, max - 1, 0, 1].filter((v) => v >= min && v <= max);
    return fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom(...edges) },
      { weight: 3, arbitrary: fc.integer({ min, max }) },
    );
  }
  const edges = [min, max, nextUp(min), nextDown(max), 0, Number.MIN_VALUE, 0.1, 1e-9].filter(
    (v) => v >= min && v <= max,
  );
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...edges) },
    { weight: 3, arbitrary: fc.double({ min, max, noNaN: true }) },
  );
}

/** Numbers a tolerated numeric field must drop: out of range, not whole, or not numbers. */
function numHostile(f: NumField | NumsField): fc.Arbitrary<Json> {
  const out = [f.min - 1, f.max + 1, nextDown(f.min), nextUp(f.max)];
  if (f.int) out.push(f.min + 0.5);
  return fc.oneof(fc.constantFrom(...out), wrong(WRONG_FOR_NUM));
}

/** `n` items cycling through a few generated ones (maximum counts cost no more than short ones). */
function counted<T>(item: fc.Arbitrary<T>, n: number): fc.Arbitrary<T[]> {
  return fc
    .array(item, { minLength: 1, maxLength: 3 })
    .map((xs) => Array.from({ length: n }, (_, i) => xs[i % xs.length] as T));
}

function listWithin<T>(
  ctx: Ctx,
  item: fc.Arbitrary<T>,
  minItems: number,
  maxItems: number,
): fc.Arbitrary<T[]> {
  const short = fc.array(item, {
    minLength: minItems,
    maxLength: Math.min(maxItems, minItems + 4),
  });
  if (!ctx.big) return short;
  const arbs: fc.WeightedArbitrary<T[]>[] = [
    { weight: 14, arbitrary: short },
    { weight: 1, arbitrary: counted(item, maxItems) },
  ];
  if (maxItems - 1 >= Math.max(minItems, 1))
    arbs.push({ weight: 1, arbitrary: counted(item, maxItems - 1) });
  return fc.oneof(...arbs);
}

function strArb(ctx: Ctx, name: string, f: StrField): fc.Arbitrary<Json> {
  const within = strWithin(ctx, name, f.nonEmpty ? 1 : 0, f.max);
  if (f.over === 'cut') {
    // Over-long describing strings are accepted (cut): part of the accepted space.
    return fc.oneof(
      { weight: 4, arbitrary: within },
      { weight: 1, arbitrary: strOver(f.max) },
      ...(f.p === 'tol' && ctx.hostile ? [{ weight: 1, arbitrary: wrong(WRONG_FOR_STR) }] : []),
    );
  }
  if (f.p !== 'tol' || !ctx.hostile) return within;
  return fc.oneof(
    { weight: 4, arbitrary: within },
    { weight: 1, arbitrary: sized(f.max + 1, f.max + 8) },
    { weight: 1, arbitrary: wrong(WRONG_FOR_STR) },
  );
}

function strsArb(ctx: Ctx, name: string, f: StrsField): fc.Arbitrary<Json> {
  const within = listWithin(ctx, strWithin(ctx, name, 0, f.max), 0, f.maxItems);
  if (f.p !== 'tol' || !ctx.hostile) return within;
  return fc.oneof(
    { weight: 4, arbitrary: within },
    { weight: 1, arbitrary: wrong(WRONG_FOR_LIST) },
    { weight: 1, arbitrary: counted(fc.constant('x'), f.maxItems + 1) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(within, wrong([...WRONG_FOR_STR, 'x'.repeat(f.max + 1)]))
        .map(([xs, bad]) => [...xs.slice(0, f.maxItems - 1), bad]),
    },
  );
}

function numsArb(ctx: Ctx, f: NumsField): fc.Arbitrary<Json> {
  const within = listWithin(ctx, numWithin(f), 0, f.maxItems);
  if (f.p !== 'tol' || !ctx.hostile) return within;
  return fc.oneof(
    { weight: 4, arbitrary: within },
    { weight: 1, arbitrary: wrong(WRONG_FOR_LIST) },
    { weight: 1, arbitrary: counted(fc.constant(1), f.maxItems + 1) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(within, numHostile(f))
        .map(([xs, bad]) => [...xs.slice(0, f.maxItems - 1), bad]),
    },
  );
}

function objsArb(ctx: Ctx, f: ObjsField): fc.Arbitrary<Json> {
  const item = shapeArb(ctx, f.shape);
  // Items of a list at its maximum count keep their own lists short.
  const small = ctx.big ? shapeArb({ ...ctx, big: false }, f.shape) : item;
  const short = fc.array(item, {
    minLength: f.minItems,
    maxLength: Math.min(f.maxItems, f.minItems + 4),
  });
  const within: fc.Arbitrary<Obj[]> = ctx.big
    ? fc.oneof(
        { weight: 14, arbitrary: short },
        { weight: 1, arbitrary: counted(small, f.maxItems) },
        { weight: 1, arbitrary: counted(small, f.maxItems - 1) },
      )
    : short;
  if (f.p !== 'tol' || !ctx.hostile) return within;
  return fc.oneof(
    { weight: 4, arbitrary: within },
    { weight: 1, arbitrary: wrong(WRONG_FOR_LIST) },
    { weight: 1, arbitrary: counted(small, f.maxItems + 1) },
    // One bad element drops the whole list.
    {
      weight: 1,
      arbitrary: fc
        .tuple(within, wrong(WRONG_FOR_OBJ))
        .map(([xs, bad]) => [...xs.slice(0, f.maxItems - 1), bad]),
    },
  );
}

/** Objects an `ext` may be: anything, prototype names as keys included. */
const extValue: fc.Arbitrary<Json> = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...PROTO_KEYS, 'gdpr', 'consent', 'schain'), fc.string()),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    { maxLength: 4 },
  )
  .map((entries) => {
    const o: Obj = {};
    for (const [k, v] of entries) defineOwn(o, k, v);
    return o;
  });

function fieldArb(ctx: Ctx, name: string, f: Field): fc.Arbitrary<Json> {
  switch (f.t) {
    case 'str':
      return strArb(ctx, name, f);
    case 'num':
      return f.p === 'tol' && ctx.hostile
        ? fc.oneof({ weight: 4, arbitrary: numWithin(f) }, { weight: 1, arbitrary: numHostile(f) })
        : numWithin(f);
    case 'strs':
      return strsArb(ctx, name, f);
    case 'nums':
      return numsArb(ctx, f);
    case 'obj': {
      const sub = shapeArb(ctx, f.shape);
      return f.p === 'tol' && ctx.hostile
        ? fc.oneof({ weight: 5, arbitrary: sub }, { weight: 1, arbitrary: wrong(WRONG_FOR_OBJ) })
        : sub;
    }
    case 'objs':
      return objsArb(ctx, f);
    case 'ext':
      return ctx.hostile
        ? fc.oneof(
            { weight: 5, arbitrary: extValue },
            { weight: 1, arbitrary: wrong(WRONG_FOR_OBJ) },
          )
        : extValue;
  }
}

/** Sets an own, enumerable property, even for `__proto__` (plain assignment would set the prototype). */
export function defineOwn(o: Obj, k: string, v: Json): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

const unknownMember: fc.Arbitrary<[string, Json]> = fc.tuple(
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...PROTO_KEYS) },
    { weight: 2, arbitrary: fc.string({ maxLength: 12 }) },
  ),
  fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constant({ polluted: true }),
    fc.constant({ prototype: { polluted: true } }),
  ),
);

function shapeArb(ctx: Ctx, shape: Shape): fc.Arbitrary<Obj> {
  const entries = Object.entries(shape);
  const fields = entries.map(([k, f]): fc.Arbitrary<[string, Maybe]> => {
    const value = fieldArb(ctx, k, f);
    const v: fc.Arbitrary<Maybe> =
      f.p === 'required'
        ? value
        : fc.oneof({ weight: 1, arbitrary: fc.constant(ABSENT) }, { weight: 1, arbitrary: value });
    return v.map((x) => [k, x]);
  });
  const extra = ctx.unknownKeys
    ? fc.oneof(
        { weight: 3, arbitrary: fc.constant([] as [string, Json][]) },
        { weight: 1, arbitrary: fc.array(unknownMember, { minLength: 1, maxLength: 3 }) },
      )
    : fc.constant([] as [string, Json][]);
  return fc.tuple(fc.tuple(...fields), extra).map(([declared, unknown]) => {
    const o: Obj = {};
    for (const [k, v] of declared) if (v !== ABSENT) defineOwn(o, k, v);
    for (const [k, v] of unknown) if (!Object.hasOwn(shape, k)) defineOwn(o, k, v);
    return o;
  });
}

/**
 * Objects of `shape` from the space its checker accepts (plus, for tolerated fields, values it
 * must drop). See the module comment for what is generated.
 */
export function arbitraryOf(shape: Shape, o: ArbitraryOptions = {}): fc.Arbitrary<Obj> {
  return shapeArb(
    {
      big: true,
      hostile: o.hostile ?? true,
      unknownKeys: o.unknownKeys ?? true,
      hints: o.hints ?? {},
    },
    shape,
  );
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Where a value the edge accepted does not conform to `shape` (every declared field present has
 * its type and is within its limits), or undefined. An independent reading of the declaration, to
 * hold the generated checker to it: a tolerated field left wrong, or a string left uncut, shows here.
 */
export function nonConforming(shape: Shape, v: Obj, path = ''): string | undefined {
  for (const [k, f] of Object.entries(shape)) {
    const at = path + k;
    if (!Object.hasOwn(v, k)) {
      if (f.p === 'required') return `${at}: missing`;
      continue;
    }
    const x = v[k];
    const problem = fieldProblem(f, x, at);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function numProblem(f: NumField | NumsField, x: unknown, at: string): string | undefined {
  if (typeof x !== 'number' || !(x >= f.min && x <= f.max) || (f.int && !Number.isInteger(x)))
    return `${at}: ${JSON.stringify(x)} is not a number in [${String(f.min)}, ${String(f.max)}]`;
  return undefined;
}

function fieldProblem(f: Field, x: unknown, at: string): string | undefined {
  switch (f.t) {
    case 'str':
      if (typeof x !== 'string') return `${at}: not a string`;
      if (x.length > f.max) return `${at}: ${String(x.length)} > ${String(f.max)} code units`;
      if (f.nonEmpty && x.length === 0) return `${at}: empty`;
      return undefined;
    case 'num':
      return numProblem(f, x, at);
    case 'strs':
      if (!Array.isArray(x) || x.length > f.maxItems) return `${at}: not a list within its count`;
      for (const [i, e] of x.entries())
        if (typeof e !== 'string' || e.length > f.max) return `${at}[${String(i)}]: bad item`;
      return undefined;
    case 'nums':
      if (!Array.isArray(x) || x.length > f.maxItems) return `${at}: not a list within its count`;
      for (const [i, e] of x.entries()) {
        const p = numProblem(f, e, `${at}[${String(i)}]`);
        if (p !== undefined) return p;
      }
      return undefined;
    case 'obj':
      return isObj(x) ? nonConforming(f.shape, x, `${at}.`) : `${at}: not an object`;
    case 'objs':
      if (!Array.isArray(x) || x.length < f.minItems || x.length > f.maxItems)
        return `${at}: not a list within its count`;
      for (const [i, e] of x.entries()) {
        if (!isObj(e)) return `${at}[${String(i)}]: not an object`;
        const p = nonConforming(f.shape, e, `${at}[${String(i)}].`);
        if (p !== undefined) return p;
      }
      return undefined;
    case 'ext':
      return isObj(x) ? undefined : `${at}: not an object`;
  }
}

/**
 * A fast-check reporter whose failure message stays short (a generated request can be megabytes):
 * the seed and path to replay it, the error, and the head of the counterexample.
 */
export function shortReport<T>(details: fc.RunDetails<T>): void {
  if (!details.failed) return;
  const shown = JSON.stringify(details.counterexample) ?? 'undefined';
  const err = details.errorInstance;
  const head =
    shown.length > 1500 ? `${shown.slice(0, 1500)}… (${String(shown.length)} chars)` : shown;
  throw new Error(
    `property failed after ${String(details.numRuns)} runs; replay with { seed: ${String(details.seed)}, path: ${JSON.stringify(details.counterexamplePath)} }\n` +
      `${err instanceof Error ? err.message : String(err)}\ncounterexample: ${head}`,
  );
}
