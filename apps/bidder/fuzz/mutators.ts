/**
 * Raw-text mutators: they edit the bytes of real requests (fixtures, generated samples, campaign
 * bodies), never objects passed through `JSON.stringify`, so they produce what no serializer
 * writes — `1e999`, `-0`, lone-surrogate escapes, raw NUL and invalid UTF-8, duplicate and
 * `__proto__` keys, nesting past the depth limit, truncation. A seed text is scanned once into the
 * spans of its values, keys and members; a case picks 1–3 edits on non-overlapping spans, applies
 * them right to left, then maybe damages the bytes. Everything comes from the injected `rng`, so
 * a case is replayed from its seed.
 *
 * Query-string and path mutators for the trackers and the inventory API are at the end.
 */
import { LIMITS } from '@streambid/contracts';
import { MAX_TOKEN_CHARS } from '../src/domain/token.js';

export type Rng = () => number;

export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
export const between = (rng: Rng, lo: number, hi: number): number =>
  lo + Math.floor(rng() * (hi - lo + 1));
export const chance = (rng: Rng, p: number): boolean => rng() < p;

/** Where a value (or a key) sits in a JSON text: `[start, end)` in UTF-16 code units. */
export interface Span {
  start: number;
  end: number;
  kind: 'string' | 'number' | 'literal' | 'object' | 'array';
  /** Objects and arrays around it (the root value is at 0). */
  depth: number;
  /** Objects and arrays: no members or elements. */
  empty: boolean;
  /** Arrays: the first element. */
  first?: Span;
}

/** One `"key": value` member of an object. */
export interface Member {
  key: Span;
  value: Span;
}

/** A seed text and its spans, scanned once. */
export interface Seed {
  /** Where the seed came from (fixture file name, `sample-12`), for reports. */
  name: string;
  text: string;
  values: Span[];
  strings: Span[];
  numbers: Span[];
  objects: Span[];
  arrays: Span[];
  members: Member[];
}

/** Scans a valid JSON text into its spans; throws on anything else (seeds are valid). */
export function scanSeed(name: string, text: string): Seed {
  const seed: Seed = {
    name,
    text,
    values: [],
    strings: [],
    numbers: [],
    objects: [],
    arrays: [],
    members: [],
  };
  let i = 0;
  const n = text.length;
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const fail = (what: string): never => {
    throw new Error(`seed ${name}: ${what} at ${String(i)}`);
  };
  const str = (depth: number): Span => {
    const start = i++;
    while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= n) fail('unterminated string');
    i++;
    return { start, end: i, kind: 'string', depth, empty: false };
  };
  const value = (depth: number): Span => {
    ws();
    const c = text[i];
    let s: Span;
    if (c === '{') {
      const start = i++;
      ws();
      let empty = true;
      if (text[i] === '}') i++;
      else
        for (;;) {
          empty = false;
          ws();
          if (text[i] !== '"') fail('expected a key');
          const key = str(depth + 1);
          ws();
          if (text[i] !== ':') fail('expected ":"');
          i++;
          const v = value(depth + 1);
          seed.members.push({ key, value: v });
          ws();
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] !== '}') fail('expected "," or "}"');
          i++;
          break;
        }
      s = { start, end: i, kind: 'object', depth, empty };
      seed.objects.push(s);
    } else if (c === '[') {
      const start = i++;
      ws();
      let first: Span | undefined;
      if (text[i] === ']') i++;
      else
        for (;;) {
          const v = value(depth + 1);
          first ??= v;
          ws();
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] !== ']') fail('expected "," or "]"');
          i++;
          break;
        }
      s = { start, end: i, kind: 'array', depth, empty: first === undefined };
      if (first) s.first = first;
      seed.arrays.push(s);
    } else if (c === '"') {
      s = str(depth);
      seed.strings.push(s);
    } else {
      const start = i;
      while (i < n && /[-+0-9.eEa-z]/.test(text[i] ?? '')) i++;
      if (i === start) fail('expected a value');
      const lit = text.slice(start, i);
      s = {
        start,
        end: i,
        kind: lit === 'true' || lit === 'false' || lit === 'null' ? 'literal' : 'number',
        depth,
        empty: false,
      };
      if (s.kind === 'number') seed.numbers.push(s);
    }
    seed.values.push(s);
    return s;
  };
  value(0);
  ws();
  if (i !== n) fail('trailing text');
  return seed;
}

/** A piece of a mutated body: text (written as UTF-8) or raw bytes. */
export type Part = string | Buffer;

interface Edit {
  start: number;
  end: number;
  parts: Part[];
}

const b = (...bytes: number[]): Buffer => Buffer.from(bytes);

/** Number spellings `JSON.parse` turns into something surprising, or that are not JSON at all. */
const NUMBER_SPELLINGS: readonly string[] = [
  '1e999',
  '-1e999',
  '1E+400',
  '1e-400',
  '-0',
  '-0.0',
  '0e0',
  '-0e-0',
  '4.9e-324',
  '2.2250738585072014e-308',
  '1.7976931348623157e308',
  '1.7976931348623159e308',
  '9007199254740993',
  '-9007199254740993',
  '2147483648',
  '4294967296',
  '1e21',
  '0.1e1',
  '1.0',
  '100e-2',
  // Not JSON: refused as malformed.
  'NaN',
  'Infinity',
  '-Infinity',
  '+1',
  '.5',
  '1.',
  '01',
  '0x10',
  '1_000',
  '1e',
  '1e+',
  '--1',
  '1..2',
  '١٢٣',
  // Numbers as strings.
  '"1e999"',
  '"-0"',
  '"NaN"',
  '"12"',
];

/** The numeric limits, each spelled at, just over and just under its bound. */
const LIMIT_NUMBERS: readonly string[] = [
  LIMITS.cpm,
  LIMITS.tmaxMs,
  LIMITS.size,
  LIMITS.durationS,
  LIMITS.code32,
  2 ** 31 - 1,
].flatMap((l) => [`${String(l)}`, `${String(l + 1)}`, `${String(l)}.0000000001`, `${String(l)}e0`]);

function numberSpelling(rng: Rng): string {
  const r = rng();
  if (r < 0.55) return pick(rng, NUMBER_SPELLINGS);
  if (r < 0.75) return pick(rng, LIMIT_NUMBERS);
  if (r < 0.8) return pick(rng, ['-1', '-1e-9', '-0.000001', '0.0000001']);
  // Very long digit runs.
  const len = pick(rng, [20, 309, 400, 5000]);
  switch (between(rng, 0, 6)) {
    case 0:
      return `1${'0'.repeat(len)}`;
    case 1:
      return `0.${'0'.repeat(len)}1`;
    case 2:
      return '9'.repeat(len);
    case 3:
      return `-${'9'.repeat(len)}`;
    case 4:
      return `1.${'5'.repeat(len)}`;
    case 5:
      return `1e${'9'.repeat(Math.min(len, 400))}`;
    default:
      return `${'0'.repeat(len)}1`;
  }
}

/** JSON escapes and raw bytes to put inside strings. */
const STRING_PIECES: readonly Part[] = [
  '\\u0000',
  '\\ud800',
  '\\udfff',
  '\\udc00\\ud800',
  '\\ud83d\\ude00',
  '\\ud83d',
  '\\uFFFF',
  '\\uFEFF',
  '\\u2028',
  '\\u202e',
  '\\"',
  '\\\\',
  '\\/',
  '\\b\\f\\n\\r\\t',
  'é',
  '中',
  '😀',
  'e\u0301',
  '__proto__',
  'constructor',
  '${AUCTION_PRICE}',
  '%zz',
  '%E0%A4%A',
  // Not valid JSON escapes.
  '\\x41',
  '\\u12',
  '\\uZZZZ',
  '\\U0041',
  '\\u{41}',
  '\\a',
  '\\',
  // Raw bytes: NUL and control characters (not allowed unescaped in JSON strings), then invalid
  // UTF-8: stray continuation, overlong encodings, CESU-8 surrogates, past U+10FFFF, truncated.
  b(0x00),
  b(0x01),
  b(0x1f),
  b(0x7f),
  b(0xff),
  b(0xfe),
  b(0x80),
  b(0xc0, 0x80),
  b(0xc1, 0xbf),
  b(0xe0, 0x80, 0x80),
  b(0xf0, 0x80, 0x80, 0x80),
  b(0xed, 0xa0, 0x80),
  b(0xed, 0xbf, 0xbf),
  b(0xf4, 0x90, 0x80, 0x80),
  b(0xf8, 0x88, 0x80, 0x80, 0x80),
  b(0xe2, 0x82),
  b(0xf0, 0x9f, 0x98),
  b(0xef, 0xbb, 0xbf),
];

/** Raw bytes to drop anywhere in a body. */
const RAW_BYTES: readonly Buffer[] = STRING_PIECES.filter(
  (p): p is Buffer => typeof p !== 'string',
);

/** The string limits (code units) a long string is sized around. */
const STRING_LIMITS: readonly number[] = [
  LIMITS.id,
  LIMITS.eventId,
  LIMITS.domain,
  LIMITS.ip,
  LIMITS.ua,
  LIMITS.url,
  LIMITS.code,
  LIMITS.text,
  LIMITS.country,
  LIMITS.consent,
  LIMITS.nativeRequest,
];

/** A unit of a long string: its JSON text and how many UTF-16 code units it decodes to. */
const LONG_UNITS: readonly [string, number][] = [
  ['a', 1],
  ['é', 1],
  ['中', 1],
  ['😀', 2],
  ['\\u0000', 1],
  ['\\ud800', 1],
  ['\\"', 1],
  ['%', 1],
];

/** A JSON string literal decoding to exactly `n` code units of `unit` (padded with `a`). */
function longString(rng: Rng, n: number): string {
  const [text, units] = pick(rng, LONG_UNITS);
  const count = Math.floor(n / units);
  const body = text.repeat(count) + 'a'.repeat(n - count * units);
  // A surrogate pair across a describing string's cut.
  if (chance(rng, 0.1) && n > 2) return `"${'a'.repeat(n - 1)}😀"`;
  return `"${body}"`;
}

function longLength(rng: Rng): number {
  if (chance(rng, 0.03)) return pick(rng, [65_536, 70_000, 300_000]);
  const l = pick(rng, STRING_LIMITS);
  return chance(rng, 0.1) ? l * 2 : pick(rng, [l - 1, l, l + 1]);
}

/** Values of other types, for any field. */
const TYPE_SWAPS: readonly string[] = [
  'null',
  'true',
  'false',
  '0',
  '-1',
  '1.5',
  '""',
  '"x"',
  '[]',
  '{}',
  '[null]',
  '[1,"a",{}]',
  '{"a":1}',
  '[[]]',
  '"[]"',
  '"{}"',
];

/** Count limits of lists, for huge arrays at and around them. */
const COUNT_LIMITS: readonly number[] = [
  LIMITS.imps,
  LIMITS.formats,
  LIMITS.deals,
  LIMITS.blockList,
  LIMITS.shortList,
  LIMITS.userData,
  LIMITS.schainNodes,
];

const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
] as const;

const PROTO_VALUES: readonly string[] = [
  '{"polluted":true}',
  'null',
  '1',
  '"x"',
  '[]',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"toString":1,"valueOf":1,"hasOwnProperty":1}',
];

/** Names of the mutation classes, as counted in the fuzzers' reports. */
export const CLASSES = [
  'number',
  'string',
  'long',
  'type',
  'array',
  'dupKey',
  'protoKey',
  'deep',
  'remove',
  'syntax',
  'truncate',
  'bytes',
] as const;
export type MutationClass = (typeof CLASSES)[number];

const slice = (s: Seed, sp: Span): string => s.text.slice(sp.start, sp.end);

type Op = (rng: Rng, s: Seed) => Edit | undefined;

const number: Op = (rng, s) => {
  const sp = s.numbers.length > 0 && chance(rng, 0.7) ? pick(rng, s.numbers) : pick(rng, s.values);
  return { start: sp.start, end: sp.end, parts: [numberSpelling(rng)] };
};

const string: Op = (rng, s) => {
  const useKey = s.members.length > 0 && chance(rng, 0.2);
  const sp = useKey
    ? pick(rng, s.members).key
    : s.strings.length > 0
      ? pick(rng, s.strings)
      : undefined;
  if (!sp) return undefined;
  const inner = s.text.slice(sp.start + 1, sp.end - 1);
  const piece = pick(rng, STRING_PIECES);
  const r = rng();
  if (r < 0.5) {
    // Inside the original text, at a character boundary (never inside an escape).
    let at = between(rng, 0, inner.length);
    while (at > 0 && inner[at - 1] === '\\') at--;
    return {
      start: sp.start,
      end: sp.end,
      parts: ['"', inner.slice(0, at), piece, inner.slice(at), '"'],
    };
  }
  if (r < 0.8) return { start: sp.start, end: sp.end, parts: ['"', piece, '"'] };
  const times = between(rng, 2, 300);
  return { start: sp.start, end: sp.end, parts: ['"', ...Array<Part>(times).fill(piece), '"'] };
};

const long: Op = (rng, s) => {
  const sp = s.strings.length > 0 && chance(rng, 0.8) ? pick(rng, s.strings) : pick(rng, s.values);
  return { start: sp.start, end: sp.end, parts: [longString(rng, longLength(rng))] };
};

const type: Op = (rng, s) => {
  const sp = pick(rng, s.values);
  const orig = slice(s, sp);
  const r = rng();
  let out: string;
  if (r < 0.6) out = pick(rng, TYPE_SWAPS);
  else if (r < 0.75) out = `[${orig}]`;
  else if (r < 0.85) out = `{"v":${orig}}`;
  else if (sp.kind === 'number') out = `"${orig}"`;
  else if (sp.kind === 'string') out = orig.slice(1, -1).length > 0 ? orig.slice(1, -1) : '0';
  else out = JSON.stringify(orig);
  return { start: sp.start, end: sp.end, parts: [out] };
};

const array: Op = (rng, s) => {
  const sp = s.arrays.length > 0 && chance(rng, 0.8) ? pick(rng, s.arrays) : pick(rng, s.values);
  const elem = sp.first
    ? slice(s, sp.first)
    : pick(rng, ['1', '""', '{}', 'null', '"x"', '[]', '{"id":"1"}']);
  let count: number;
  if (chance(rng, 0.03)) count = pick(rng, [10_000, 100_000]);
  else {
    const l = pick(rng, COUNT_LIMITS);
    count = pick(rng, [l - 1, l, l + 1, l * 4]);
  }
  // Big elements repeated many times: stay under ~100 KB (past the bidder's 64 KB body limit,
  // which answers 413 before parsing; bigger would only cost the generator).
  count = Math.max(1, Math.min(count, Math.floor(100_000 / (elem.length + 1))));
  return {
    start: sp.start,
    end: sp.end,
    parts: ['[', Array<string>(count).fill(elem).join(','), ']'],
  };
};

const dupKey: Op = (rng, s) => {
  if (s.members.length === 0) return undefined;
  const m = pick(rng, s.members);
  const key = slice(s, m.key);
  const r = rng();
  const alt = r < 0.4 ? pick(rng, TYPE_SWAPS) : r < 0.7 ? numberSpelling(rng) : slice(s, m.value);
  // The duplicate after the original (JSON.parse keeps the last) or before it.
  return chance(rng, 0.5)
    ? { start: m.value.end, end: m.value.end, parts: [`,${key}:${alt}`] }
    : { start: m.key.start, end: m.key.start, parts: [`${key}:${alt},`] };
};

const protoKey: Op = (rng, s) => {
  const r = rng();
  if (r < 0.5 && s.objects.length > 0) {
    const o = pick(rng, s.objects);
    const member = `"${pick(rng, PROTO_KEYS)}":${pick(rng, PROTO_VALUES)}`;
    return { start: o.start + 1, end: o.start + 1, parts: [o.empty ? member : `${member},`] };
  }
  if (r < 0.8 && s.members.length > 0) {
    const m = pick(rng, s.members);
    return { start: m.key.start, end: m.key.end, parts: [`"${pick(rng, PROTO_KEYS)}"`] };
  }
  if (s.strings.length === 0) return undefined;
  const sp = pick(rng, s.strings);
  return { start: sp.start, end: sp.end, parts: [`"${pick(rng, PROTO_KEYS)}"`] };
};

const deep: Op = (rng, s) => {
  const sp = pick(rng, s.values);
  let d: number;
  if (chance(rng, 0.7)) d = Math.max(1, LIMITS.jsonDepth - sp.depth + between(rng, -2, 2));
  else d = chance(rng, 0.05) ? 100_000 : pick(rng, [100, 5000]);
  const inner = chance(rng, 0.5) ? slice(s, sp) : '1';
  const parts = chance(rng, 0.5)
    ? ['['.repeat(d), inner, ']'.repeat(d)]
    : ['{"a":'.repeat(d), inner, '}'.repeat(d)];
  return { start: sp.start, end: sp.end, parts };
};

const remove: Op = (rng, s) => {
  if (s.members.length === 0) return undefined;
  const m = pick(rng, s.members);
  const t = s.text;
  let end = m.value.end;
  let j = end;
  while (j < t.length && /\s/.test(t[j] ?? '')) j++;
  if (t[j] === ',') return { start: m.key.start, end: j + 1, parts: [] };
  let start = m.key.start;
  let k = start - 1;
  while (k >= 0 && /\s/.test(t[k] ?? '')) k--;
  if (t[k] === ',') start = k;
  end = m.value.end;
  return { start, end, parts: [] };
};

const syntax: Op = (rng, s) => {
  const t = s.text;
  const at = between(rng, 0, t.length - 1);
  switch (between(rng, 0, 7)) {
    case 0:
      return { start: at, end: at + 1, parts: [] };
    case 1:
      return { start: at, end: at, parts: [pick(rng, [',', ']', '}', '[', '{', ':', '"', '\\'])] };
    case 2:
      return { start: 0, end: t.length, parts: [t.replace(/"/g, "'")] };
    case 3:
      return { start: at, end: at, parts: ['/*x*/'] };
    case 4: {
      const close = t.lastIndexOf('}');
      return { start: close, end: close, parts: [','] };
    }
    case 5:
      return { start: t.length, end: t.length, parts: [pick(rng, [' x', '}', ',{}', t, '\n\n'])] };
    case 6:
      return {
        start: 0,
        end: 0,
        parts: [pick(rng, ['\ufeff', ' '.repeat(10_000), '\u00a0', '[', 'null'])],
      };
    default:
      return {
        start: 0,
        end: t.length,
        parts: [pick(rng, ['', '{}', '[]', '""', '0', 'null', '{"id":"x"}'])],
      };
  }
};

const OPS: readonly [MutationClass, Op, number][] = [
  ['number', number, 12],
  ['string', string, 14],
  ['long', long, 8],
  ['type', type, 14],
  ['array', array, 5],
  ['dupKey', dupKey, 8],
  ['protoKey', protoKey, 10],
  ['deep', deep, 3],
  ['remove', remove, 8],
  ['syntax', syntax, 4],
];
const OP_WEIGHT = OPS.reduce((a, [, , w]) => a + w, 0);

function pickOp(rng: Rng): [MutationClass, Op] {
  let r = rng() * OP_WEIGHT;
  for (const [name, op, w] of OPS) {
    r -= w;
    if (r < 0) return [name, op];
  }
  const last = OPS[OPS.length - 1] as [MutationClass, Op, number];
  return [last[0], last[1]];
}

/** One mutated body and the classes of the edits that made it. */
export interface Mutation {
  body: Buffer;
  classes: MutationClass[];
}

/** Applies non-overlapping edits right to left and joins the pieces into bytes. */
function apply(text: string, edits: Edit[]): Buffer {
  edits.sort((x, y) => x.start - y.start || x.end - y.end);
  const kept: Edit[] = [];
  let reach = -1;
  for (const e of edits) {
    // Overlapping edits (one inside a value another replaces) are dropped; equal inserts kept.
    if (e.start < reach) continue;
    kept.push(e);
    reach = Math.max(reach, e.end);
  }
  const parts: Buffer[] = [];
  let at = 0;
  for (const e of kept) {
    if (e.start > at) parts.push(Buffer.from(text.slice(at, e.start), 'utf8'));
    for (const p of e.parts) parts.push(typeof p === 'string' ? Buffer.from(p, 'utf8') : p);
    at = Math.max(at, e.end);
  }
  if (at < text.length) parts.push(Buffer.from(text.slice(at), 'utf8'));
  return Buffer.concat(parts);
}

/** Byte damage after the edits: truncation, stray bytes, a byte-order mark. */
function damage(rng: Rng, body: Buffer, classes: MutationClass[]): Buffer {
  const r = rng();
  if (r < 0.07) {
    classes.push('truncate');
    return body.subarray(0, between(rng, 0, Math.max(0, body.length - 1)));
  }
  if (r < 0.12) {
    classes.push('bytes');
    const at = between(rng, 0, body.length);
    return Buffer.concat([body.subarray(0, at), pick(rng, RAW_BYTES), body.subarray(at)]);
  }
  return body;
}

/** One mutated body from `seed`: 1–3 edits, then maybe byte damage; `edits: 0` leaves it whole. */
export function mutateJson(rng: Rng, seed: Seed, o: { edits?: number } = {}): Mutation {
  const classes: MutationClass[] = [];
  const edits: Edit[] = [];
  const n = o.edits ?? (chance(rng, 0.6) ? 1 : between(rng, 2, 3));
  for (let k = 0; k < n; k++) {
    const [name, op] = pickOp(rng);
    const e = op(rng, seed);
    if (!e) continue;
    classes.push(name);
    edits.push(e);
  }
  const body = apply(seed.text, edits);
  return { body: n === 0 ? body : damage(rng, body, classes), classes };
}

// ——— Query strings and paths (trackers, inventory API) ———

/** Percent-encodings that are malformed, overlong, surrogates, NUL, or merely surprising. */
export const PERCENT_PIECES: readonly string[] = [
  '%',
  '%Z',
  '%zz',
  '%2',
  '%%',
  '%E0%A4%A',
  '%C0%80',
  '%ED%A0%80',
  '%F4%90%80%80',
  '%FF',
  '%00',
  '%25',
  '%u0041',
  '+',
  '%20',
  '%0A',
  '%0D%0A',
  '%2F',
  '%3F',
  '%26',
  '%3D',
  '%23',
  '%C3%A9',
  '%F0%9F%98%80',
];

/** `price` spellings a tracker must answer 4xx (or bill correctly), never throw on. */
export const PRICE_SPELLINGS: readonly string[] = [
  '1e999',
  '-1e999',
  '-0',
  'NaN',
  'Infinity',
  '-Infinity',
  '-1',
  '0x10',
  '1e-400',
  '9'.repeat(400),
  '',
  ' ',
  '1,5',
  '${AUCTION_PRICE}',
  '%24%7BAUCTION_PRICE%7D',
  '0.000001',
  '0',
  '1E+400',
  '%31',
  '1%00',
  '1e308',
];

/**
 * Replaces or damages 1–3 `k=v` parts of a query string. The result stays a valid HTTP request
 * target (no raw spaces or control characters: those break the framing, not the handler).
 */
export function mutateQuery(rng: Rng, query: string, o: { token?: string } = {}): string {
  const params = query === '' ? [] : query.split('&');
  const n = chance(rng, 0.6) ? 1 : between(rng, 2, 3);
  for (let k = 0; k < n; k++) {
    const i = params.length === 0 ? 0 : between(rng, 0, params.length - 1);
    const p = params[i] ?? '';
    const eq = p.indexOf('=');
    const key = eq < 0 ? p : p.slice(0, eq);
    const val = eq < 0 ? '' : p.slice(eq + 1);
    switch (between(rng, 0, 8)) {
      case 0: {
        const at = between(rng, 0, val.length);
        params[i] = `${key}=${val.slice(0, at)}${pick(rng, PERCENT_PIECES)}${val.slice(at)}`;
        break;
      }
      case 1:
        // Repeated parameters: the real one first or last.
        params.splice(
          chance(rng, 0.5) ? i : i + 1,
          0,
          `${key}=${pick(rng, ['x', '', val.slice(1), '1e999'])}`,
        );
        break;
      case 2:
        // Up to 32 KB: uWS resets the connection on request heads of a few hundred KB.
        params[i] =
          `${key}=${'A'.repeat(pick(rng, [1024, MAX_TOKEN_CHARS, MAX_TOKEN_CHARS + 1, 32_768]))}`;
        break;
      case 3:
        // A raw space would end the request target: spaces go as `+` or `%20`.
        params.push(`price=${pick(rng, PRICE_SPELLINGS).replace(/ /g, pick(rng, ['+', '%20']))}`);
        if (chance(rng, 0.5))
          params.splice(
            params.findIndex((x) => x.startsWith('price=')),
            1,
          );
        break;
      case 4: {
        // Token tampering.
        const t = o.token ?? val;
        const j = between(rng, 0, Math.max(0, t.length - 1));
        const tampered = pick(rng, [
          t.slice(0, j),
          `${t.slice(0, j)}${t[j] === 'A' ? 'B' : 'A'}${t.slice(j + 1)}`,
          t.replace('.', ''),
          `${t}.`,
          `.${t}`,
          t.split('.').reverse().join('.'),
          `${t}==`,
          t.replace(/-/g, '+').replace(/_/g, '/'),
          `${t}%00`,
          encodeURIComponent('é') + t,
        ]);
        const ti = params.findIndex((x) => x.startsWith('t='));
        params[ti < 0 ? params.length : ti] = `t=${tampered}`;
        break;
      }
      case 5:
        params[i] = `${pick(rng, ['auction', 'bid', 'imp', 'loss'])}=${pick(rng, [
          '',
          'x',
          '%C3%A9',
          '%ED%A0%80',
          '%zz',
          'a'.repeat(300),
          '${AUCTION_ID}',
          '__proto__',
        ])}`;
        break;
      case 6:
        params.splice(i, 1);
        break;
      case 7:
        params.splice(
          i,
          0,
          pick(rng, ['', '=', '=x', 't', '&', '__proto__=1', 'constructor=1', 'price']),
        );
        break;
      default:
        params[i] = `${pick(rng, PERCENT_PIECES)}${key}=${val}`;
    }
  }
  return params.join('&');
}

/** A path segment (an id, an action) damaged as a client could send it. */
export function mutateSegment(rng: Rng, seg: string): string {
  switch (between(rng, 0, 6)) {
    case 0: {
      const at = between(rng, 0, seg.length);
      return `${seg.slice(0, at)}${pick(rng, PERCENT_PIECES)}${seg.slice(at)}`;
    }
    case 1:
      return pick(rng, ['', '.', '..', '%2e%2e', '..%2F..%2Fetc', '%2F', '%00', '%']);
    case 2:
      return pick(rng, PROTO_KEYS);
    case 3:
      return 'a'.repeat(pick(rng, [LIMITS.id, LIMITS.id + 1, 2000, 3500]));
    case 4:
      return encodeURIComponent(
        pick(rng, ['é', '😀', '\u0000', ' ', '"', '<x>', '中']).repeat(between(rng, 1, 300)),
      );
    case 5:
      return seg + pick(rng, [';x', '?', '#x', '/', '//', '/x']);
    default:
      return seg.toUpperCase();
  }
}
