import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LIMITS } from '@streambid/contracts';
import { checkContentType, decodeJson, decodeParams, parseQuery } from './input.js';

const listQuery = new Set(['status', 'advertiser']);

describe('decodeParams', () => {
  it('refuses a malformed percent-encoding naming the parameter instead of throwing', () => {
    expect(decodeParams(['%E0%A4%A'], ['id'])).toMatchObject({
      ok: false,
      error: { error: 'invalid_path', field: 'id' },
    });
    expect(decodeParams(['c-1', '%'], ['id', 'action'])).toMatchObject({
      ok: false,
      error: { field: 'action' },
    });
  });

  it('decodes escapes and refuses an id over LIMITS.id', () => {
    expect(decodeParams(['a%2Fb%20c'], ['id'])).toEqual({ ok: true, value: ['a/b c'] });
    expect(decodeParams(['x'.repeat(LIMITS.id)], ['id']).ok).toBe(true);
    expect(decodeParams(['x'.repeat(LIMITS.id + 1)], ['id'])).toMatchObject({
      ok: false,
      error: { field: 'id' },
    });
  });

  it('never throws on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        decodeParams([s], ['id']);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseQuery', () => {
  it('reads the declared parameters into a Map, decoding + and escapes', () => {
    const q = parseQuery('status=active&advertiser=acme+co%21', listQuery);
    expect(q).toEqual({
      ok: true,
      value: new Map([
        ['status', 'active'],
        ['advertiser', 'acme co!'],
      ]),
    });
  });

  it('refuses repeated, unknown, malformed and over-long parameters naming them', () => {
    const cases: [string, ReadonlySet<string>, string][] = [
      ['status=active&status=paused', listQuery, 'status'],
      ['colour=red', listQuery, 'colour'],
      ['x=1', new Set(), 'x'],
      ['status=%E0%A4%A', listQuery, 'status'],
      ['%E0%A4%A=1', listQuery, 'query'],
      [`advertiser=${'a'.repeat(LIMITS.id + 1)}`, listQuery, 'advertiser'],
      ['__proto__=1', listQuery, '__proto__'],
      ['constructor=1', listQuery, 'constructor'],
    ];
    for (const [raw, allowed, field] of cases)
      expect(parseQuery(raw, allowed), raw).toMatchObject({
        ok: false,
        error: { error: 'invalid_query', field },
      });
  });

  it('takes __proto__ as an ordinary name when a route declares it, without touching a prototype', () => {
    const q = parseQuery('__proto__=x', new Set(['__proto__']));
    expect(q.ok && q.value.get('__proto__')).toBe('x');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('never throws on any text, and echoes at most LIMITS.code characters of a name', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (s) => {
        const q = parseQuery(s, listQuery);
        if (!q.ok) expect(q.error.field.length).toBeLessThanOrEqual(LIMITS.code);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('checkContentType', () => {
  it('accepts none, application/json and application/*+json with a UTF-8 charset', () => {
    for (const ct of [
      '',
      'application/json',
      'Application/JSON; charset=UTF-8',
      'application/merge-patch+json',
      'application/json;charset="utf-8"',
    ])
      expect(checkContentType(ct).ok, ct).toBe(true);
  });

  it('refuses any other type or charset naming content-type', () => {
    for (const ct of [
      'text/xml',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      'json',
    ])
      expect(checkContentType(ct), ct).toMatchObject({
        ok: false,
        error: { error: 'unsupported_media_type', field: 'content-type' },
      });
  });
});

describe('decodeJson', () => {
  it('refuses bytes that are not UTF-8 rather than storing replacement characters', () => {
    const body = Buffer.concat([
      Buffer.from('{"name":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    expect(decodeJson(body)).toMatchObject({
      ok: false,
      error: { error: 'invalid_json', field: '(body)', message: 'body is not valid UTF-8' },
    });
  });

  it('refuses text that is not JSON', () => {
    expect(decodeJson(Buffer.from('{"advertiser": '))).toMatchObject({
      ok: false,
      error: { error: 'invalid_json', field: '(body)' },
    });
  });

  it('refuses JSON nested deeper than LIMITS.jsonDepth and accepts it at the limit', () => {
    const nest = (n: number): string => '['.repeat(n) + ']'.repeat(n);
    expect(decodeJson(Buffer.from(nest(LIMITS.jsonDepth))).ok).toBe(true);
    expect(decodeJson(Buffer.from(nest(LIMITS.jsonDepth + 1)))).toMatchObject({
      ok: false,
      error: { message: `JSON nests deeper than ${String(LIMITS.jsonDepth)} levels` },
    });
    expect(decodeJson(Buffer.from(nest(100_000))).ok).toBe(false);
  });

  it('reads an empty body as undefined', () => {
    expect(decodeJson(undefined)).toEqual({ ok: true, value: undefined });
    expect(decodeJson(Buffer.alloc(0))).toEqual({ ok: true, value: undefined });
  });
});
