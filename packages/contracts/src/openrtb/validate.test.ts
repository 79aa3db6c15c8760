import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@streambid/testkit';
import { parseBidRequest, validateBidRequest, validateBidRequestWithZod } from './validate.js';

const FIXTURES = new URL('../../../../test/fixtures/openrtb/', import.meta.url);

interface MalformedCase {
  name: string;
  body: string;
  expectError: string;
  field?: string;
}

const good = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json') && f !== 'malformed.json')
  .map((f) => ({ name: f, body: readFileSync(new URL(f, FIXTURES), 'utf8') }));
const malformed = JSON.parse(
  readFileSync(new URL('malformed.json', FIXTURES), 'utf8'),
) as MalformedCase[];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Runs both validators on private copies of `value` (the hand validator works in place). */
function both(value: unknown) {
  return {
    hand: validateBidRequest(structuredClone(value)),
    zod: validateBidRequestWithZod(structuredClone(value)),
  };
}

function expectAgreement(value: unknown): void {
  const { hand, zod } = both(value);
  expect(hand.ok).toBe(zod.ok);
  if (hand.ok && zod.ok) expect(hand.value).toEqual(zod.value);
  if (!hand.ok && !zod.ok) expect(hand.field).toBe(zod.field);
}

describe('parseBidRequest on good fixtures', () => {
  it('has at least 14 request fixtures to check', () => {
    expect(good.length).toBeGreaterThanOrEqual(14);
  });

  it.each(good)('accepts $name and preserves its id and imp ids', ({ body }) => {
    const raw = JSON.parse(body) as { id: string; imp: { id: string }[] };
    const r = parseBidRequest(body);
    expect(r).toMatchObject({ ok: true });
    if (!r.ok) return;
    expect(r.value.id).toBe(raw.id);
    expect(r.value.imp.map((i) => i.id)).toEqual(raw.imp.map((i) => i.id));
  });

  it.each(good)('gives the same verdict and value as the zod schema for $name', ({ body }) => {
    expectAgreement(JSON.parse(body));
  });
});

describe('parseBidRequest on malformed bodies', () => {
  it.each(malformed)('rejects a request with $name', ({ body, expectError, field }) => {
    const r = parseBidRequest(body);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toContain(expectError);
    expect(r.field).toBe(field);
  });

  it.each(malformed.filter((c) => c.field !== undefined))(
    'names the same field as the zod schema for $name',
    ({ body, field }) => {
      const z = validateBidRequestWithZod(JSON.parse(body));
      expect(z).toMatchObject({ ok: false, field });
    },
  );

  it('reports malformed JSON without an offending field', () => {
    expect(parseBidRequest('{"id":')).toEqual({ ok: false, error: 'malformed JSON' });
  });
});

describe('field tolerance', () => {
  const base = { id: 'r1', imp: [{ id: '1', banner: { w: 300, h: 250 } }] };

  it('keeps unknown fields at every level and accepts the request', () => {
    const body = JSON.stringify({
      ...base,
      imp: [{ id: '1', banner: { w: 300, h: 250, zzz: [1] }, rwdd: 1 }],
      site: { id: 's', brandNew: { x: 1 } },
      device: { ua: 'x', sua: { mobile: 1 } },
      futureTopLevel: 'yes',
      ext: { anything: [null, true] },
    });
    const r = parseBidRequest(body);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({
      futureTopLevel: 'yes',
      site: { brandNew: { x: 1 } },
      imp: [{ rwdd: 1 }],
    });
  });

  it('drops tolerated fields of the wrong type instead of rejecting the request', () => {
    const r = parseBidRequest(
      JSON.stringify({
        ...base,
        imp: [{ id: '1', banner: { w: 300, h: 250, pos: 'top', battr: '13' }, ext: 'x' }],
        device: { ip: '192.0.2.1', geo: { country: 'USA', lat: '1.5' }, os: 7 },
        user: { id: 'u', data: 'segments' },
        source: 'not-an-object',
        ext: [],
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const imp = r.value.imp[0];
    expect(imp?.banner).toEqual({ w: 300, h: 250 });
    expect(imp && 'ext' in imp).toBe(false);
    expect(r.value.device).toEqual({ ip: '192.0.2.1', geo: { country: 'USA' } });
    expect(r.value.user).toEqual({ id: 'u' });
    expect('source' in r.value || 'ext' in r.value).toBe(false);
  });

  it('drops a whole supply chain node list when one node lacks a required field', () => {
    const nodes = [{ asi: 'a.com', sid: '1', hp: 1 }, { asi: 'b.com' }];
    const r = parseBidRequest(
      JSON.stringify({ ...base, source: { tid: 't', schain: { complete: 1, nodes } } }),
    );
    expect(r.ok && r.value.source).toEqual({ tid: 't', schain: { complete: 1 } });
  });

  it('accepts 2.5-style privacy signals in regs.ext and user.ext untouched', () => {
    const body = JSON.stringify({
      ...base,
      regs: { ext: { gdpr: 1, us_privacy: '1YNN' } },
      user: { ext: { consent: 'CP' } },
    });
    const r = parseBidRequest(body);
    expect(r.ok && r.value.regs?.ext).toEqual({ gdpr: 1, us_privacy: '1YNN' });
  });
});

// Deterministic mutation fuzzing of the fixtures: never throws, and hand and zod always agree.
describe('mutated requests', () => {
  const rng = mulberry32(0x5eed);
  const oddValues: Json[] = ['', 'x', 0, -1, 3.5, true, false, null, [], [1, 'a'], {}, { id: 1 }];

  /** Every container (object or array) inside `v`, with `v` itself. */
  function containers(v: Json, out: (Json[] | { [k: string]: Json })[] = []) {
    if (v !== null && typeof v === 'object') {
      out.push(v);
      for (const child of Object.values(v)) containers(child, out);
    }
    return out;
  }

  function mutate(value: Json): void {
    const all = containers(value);
    const target = all[Math.floor(rng() * all.length)];
    if (target === undefined) return;
    const keys = Object.keys(target);
    const key = keys[Math.floor(rng() * keys.length)];
    if (key === undefined) return;
    const odd = oddValues[Math.floor(rng() * oddValues.length)] ?? null;
    if (Array.isArray(target)) {
      if (rng() < 0.3) target.splice(Number(key), 1);
      else target[Number(key)] = structuredClone(odd);
    } else if (rng() < 0.3) {
      Reflect.deleteProperty(target, key);
    } else {
      target[key] = structuredClone(odd);
    }
  }

  it('never throws on truncated bodies and rejects them as malformed JSON', () => {
    for (const { body } of good) {
      for (let i = 0; i < 40; i++) {
        const cut = Math.floor(rng() * (body.length - 1));
        const r = parseBidRequest(body.slice(0, cut));
        expect(r).toMatchObject({ ok: false, error: 'malformed JSON' });
      }
    }
  });

  it('never throws on deleted keys and swapped types, and agrees with the zod schema', () => {
    let rejected = 0;
    let accepted = 0;
    for (const { body } of good) {
      for (let i = 0; i < 150; i++) {
        const value = JSON.parse(body) as Json;
        const rounds = 1 + Math.floor(rng() * 3);
        for (let m = 0; m < rounds; m++) mutate(value);
        const r = parseBidRequest(JSON.stringify(value));
        expect(typeof r.ok).toBe('boolean');
        if (r.ok) accepted++;
        else rejected++;
        expectAgreement(value);
      }
    }
    // The mutations must exercise both outcomes to mean anything.
    expect(accepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });
});
