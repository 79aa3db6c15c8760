/** Mutators for fuzzing the bid endpoint: structural edits of a valid request and byte-level damage. */
type Rng = () => number;
type Json = unknown;

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;

// JSON text, parsed at each use: every insertion is a fresh value (no shared references), and
// `__proto__` arrives as an own key exactly as JSON.parse produces it from a hostile body.
const WEIRD: readonly string[] = [
  'null',
  'true',
  '0',
  '-1',
  '1e308',
  '-0.000001',
  '""',
  JSON.stringify('x'.repeat(5000)),
  '"${AUCTION_PRICE}"',
  '"\\u0000\\ud800"',
  '[]',
  '[null, 1, "a", {}]',
  '{}',
  '{"__proto__": {"polluted": true}}',
  '{"constructor": {"prototype": {"polluted": true}}}',
  JSON.stringify(Array.from({ length: 200 }, (_, i) => i)),
];

const weird = (rng: Rng): Json => JSON.parse(pick(rng, WEIRD)) as Json;

/** Every (container, key) pair in a JSON tree, for picking a random spot. */
function spots(
  v: Json,
  out: { parent: Record<string, Json> | Json[]; key: string | number }[],
): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push({ parent: v, key: i });
      spots(x, out);
    });
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.push({ parent: v as Record<string, Json>, key: k });
      spots(x, out);
    }
  }
}

function nest(depth: number): Json {
  let v: Json = 1;
  for (let i = 0; i < depth; i++) v = { a: [v] };
  return v;
}

/** One mutated body derived from a valid request. */
export function mutate(rng: Rng, valid: Json): string {
  const doc = JSON.parse(JSON.stringify(valid)) as Json;
  const edits = 1 + Math.floor(rng() * 3);
  for (let e = 0; e < edits; e++) {
    const all: { parent: Record<string, Json> | Json[]; key: string | number }[] = [];
    spots(doc, all);
    const s = all.length > 0 ? pick(rng, all) : undefined;
    if (!s) break;
    const op = rng();
    const p = s.parent as Record<string | number, Json>;
    if (op < 0.3) p[s.key] = weird(rng);
    else if (op < 0.45) Reflect.deleteProperty(p, s.key);
    else if (op < 0.55) p[s.key] = nest(1 + Math.floor(rng() * 400));
    else if (op < 0.65) p[s.key] = typeof p[s.key] === 'number' ? String(p[s.key]) : 12345;
    else if (op < 0.75) p[`unknown_${String(e)}`] = weird(rng);
    else p[s.key] = JSON.parse(JSON.stringify(doc)) as Json; // self-similar growth
  }
  let body = JSON.stringify(doc);
  const r = rng();
  if (r < 0.1)
    body = body.slice(0, Math.floor(rng() * body.length)); // truncated
  else if (r < 0.15) {
    const i = Math.floor(rng() * body.length);
    body = body.slice(0, i) + String.fromCharCode(Math.floor(rng() * 256)) + body.slice(i + 1);
  } else if (r < 0.17) body = body.replace(/"/g, "'");
  return body;
}
