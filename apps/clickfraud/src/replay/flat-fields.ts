import { z } from 'zod';

/**
 * What a byte-level scanner can check of a flat zod object schema, read off the schema once: per
 * field, in the schema's order, whether it is required and its kind and bounds. A field whose
 * schema has anything the scanner cannot check (a pattern, a refinement, an exclusive bound, a
 * literal, an object nested deeper than one level) is `other`: a message carrying it must go the
 * general way, where the schema decides. So the scanner never restates a field or a bound by hand.
 * A nested object of such fields (the events' `privacy`) is `obj`, and its fields follow it.
 */
export const Kind = { other: 0, str: 1, num: 2, enum: 3, obj: 4 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export interface FlatField {
  key: string;
  /** `key`, after its object's key and a dot when nested (`privacy.basis`). */
  path: string;
  /** Index of the `obj` field this one is nested in, or -1 at the top level. */
  parent: number;
  /** Required in its object (a nested field: when its object is present). */
  required: boolean;
  kind: Kind;
  /** String length bounds (UTF-16 code units). */
  minLength: number;
  maxLength: number;
  /** Inclusive number bounds. */
  min: number;
  max: number;
  /** An enum's values. */
  options: readonly string[];
}

const checksOf = (s: z.ZodType): readonly z.core.$ZodCheck[] => s.def.checks ?? [];

/** Only length checks: what `minLength`/`maxLength` report is then the whole of it. */
function plainString(s: z.ZodString): boolean {
  return checksOf(s).every(
    (c) =>
      c instanceof z.core.$ZodCheckMinLength ||
      c instanceof z.core.$ZodCheckMaxLength ||
      c instanceof z.core.$ZodCheckLengthEquals,
  );
}

/** Only formats (int, safe int, …) and inclusive bounds: `minValue`/`maxValue` are then exact. */
function plainNumber(s: z.ZodNumber): boolean {
  return checksOf(s).every(
    (c) =>
      c instanceof z.core.$ZodCheckNumberFormat ||
      ((c instanceof z.core.$ZodCheckGreaterThan || c instanceof z.core.$ZodCheckLessThan) &&
        c._zod.def.inclusive),
  );
}

function fieldOf(key: string, schema: z.ZodType): FlatField {
  const required = !(schema instanceof z.ZodOptional);
  const s = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  const field: FlatField = {
    key,
    path: key,
    parent: -1,
    required,
    kind: Kind.other,
    minLength: 0,
    maxLength: 0,
    min: 0,
    max: 0,
    options: [],
  };
  if (s instanceof z.ZodString && plainString(s)) {
    field.kind = Kind.str;
    field.minLength = s.minLength ?? 0;
    field.maxLength = s.maxLength ?? Number.MAX_SAFE_INTEGER;
  } else if (s instanceof z.ZodNumber && plainNumber(s)) {
    field.kind = Kind.num;
    field.min = s.minValue ?? -Infinity;
    field.max = s.maxValue ?? Infinity;
  } else if (s instanceof z.ZodEnum && s.options.every((o) => typeof o === 'string')) {
    field.kind = Kind.enum;
    field.options = s.options as readonly string[];
  }
  return field;
}

/** The fields of a nested object, or undefined when one of them is not plain (then: `other`). */
function nestedFields(schema: z.ZodType): FlatField[] | undefined {
  const s = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  if (!(s instanceof z.ZodObject) || (s.def.checks ?? []).length > 0) return undefined;
  const fields = Object.entries(s.shape).map(([k, c]) => fieldOf(k, c as z.ZodType));
  return fields.every((f) => f.kind !== Kind.other) ? fields : undefined;
}

/**
 * The fields of `schema` in declaration order; a plain nested object is an `obj` field followed by
 * its own fields (one level: deeper objects are `other`).
 */
export function flatFields(schema: z.ZodObject): FlatField[] {
  const out: FlatField[] = [];
  for (const [k, s] of Object.entries(schema.shape)) {
    const field = fieldOf(k, s as z.ZodType);
    const nested = nestedFields(s as z.ZodType);
    if (nested) field.kind = Kind.obj;
    const at = out.push(field) - 1;
    for (const c of nested ?? []) out.push({ ...c, path: `${k}.${c.key}`, parent: at });
  }
  return out;
}
