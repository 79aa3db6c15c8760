import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clickSchema, LIMITS } from '@streambid/contracts';
import { flatFields, Kind } from './flat-fields.js';

const byKey = (schema: z.ZodObject) => new Map(flatFields(schema).map((f) => [f.key, f]));

describe('flatFields', () => {
  it('reads string bounds, number bounds, enum values and optionality off a schema', () => {
    const f = byKey(
      z.object({
        id: z.string().min(1).max(10),
        code: z.string().length(3).optional(),
        free: z.string(),
        n: z.number().int().min(2).max(9),
        color: z.enum(['red', 'blue']),
      }),
    );
    expect(f.get('id')).toMatchObject({
      kind: Kind.str,
      required: true,
      minLength: 1,
      maxLength: 10,
    });
    expect(f.get('code')).toMatchObject({
      kind: Kind.str,
      required: false,
      minLength: 3,
      maxLength: 3,
    });
    expect(f.get('free')).toMatchObject({ kind: Kind.str, minLength: 0 });
    expect(f.get('n')).toMatchObject({ kind: Kind.num, min: 2, max: 9 });
    expect(f.get('color')).toMatchObject({ kind: Kind.enum, options: ['red', 'blue'] });
  });

  it('marks as other every field with a check a byte scanner cannot make', () => {
    const f = byKey(
      z.object({
        pattern: z.string().regex(/^a/),
        refined: z.string().refine((s) => s !== 'x'),
        exclusive: z.number().positive(),
        multiple: z.number().multipleOf(5),
        literal: z.literal(true).optional(),
        nested: z.object({ a: z.string().regex(/^a/) }),
        deep: z.object({ a: z.object({ b: z.string() }) }),
        nullable: z.string().nullable(),
      }),
    );
    for (const k of f.keys()) expect(f.get(k)?.kind, k).toBe(Kind.other);
  });

  it('follows a nested object of plain fields with those fields, by path', () => {
    const fields = flatFields(
      z.object({ a: z.string(), o: z.object({ s: z.string().max(4), n: z.number().optional() }) }),
    );
    expect(fields.map((f) => [f.path, f.kind, f.parent, f.required])).toEqual([
      ['a', Kind.str, -1, true],
      ['o', Kind.obj, -1, true],
      ['o.s', Kind.str, 1, true],
      ['o.n', Kind.num, 1, false],
    ]);
    expect(fields[2]).toMatchObject({ key: 's', maxLength: 4 });
  });

  it('gives the click schema its edge limits, in schema order', () => {
    const fields = flatFields(clickSchema);
    expect(fields.filter((f) => f.parent < 0).map((f) => f.key)).toEqual(
      Object.keys(clickSchema.shape),
    );
    const f = new Map(fields.map((x) => [x.key, x]));
    expect(f.get('eventId')).toMatchObject({
      required: true,
      minLength: 1,
      maxLength: LIMITS.eventId,
    });
    expect(f.get('bidId')).toMatchObject({ required: true, minLength: 1, maxLength: LIMITS.id });
    expect(f.get('ua')).toMatchObject({ required: false, maxLength: LIMITS.ua });
    expect(f.get('ip')).toMatchObject({ required: false, maxLength: LIMITS.ip });
    expect(f.get('country')).toMatchObject({ required: false, maxLength: LIMITS.country });
    expect(f.get('ts')).toMatchObject({ kind: Kind.num, required: true, min: 0 });
    expect(f.get('region')).toMatchObject({ kind: Kind.enum, options: ['eu', 'us', 'ap'] });
    expect(f.get('test')?.kind).toBe(Kind.other);
    expect(f.get('privacy')?.kind).toBe(Kind.obj);
    const basis = fields.find((x) => x.path === 'privacy.basis');
    expect(basis).toMatchObject({ kind: Kind.str, required: true, minLength: 1, maxLength: 32 });
  });
});
