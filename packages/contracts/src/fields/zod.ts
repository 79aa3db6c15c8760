/**
 * The zod schema of a field declaration (`dsl.ts`): the documented contract, for tooling, tests
 * and JSON Schema export. It accepts, refuses, drops and cuts exactly what `check.ts` does; a
 * test holds the two to the same verdict, value and offending field.
 */
import { z } from 'zod';
import { cut } from '../limits.js';
import type { Field, Shape } from './dsl.js';

function withPolicy(s: z.ZodType, f: Field): z.ZodType {
  if (f.p === 'required') return s;
  if (f.p === 'read') return s.optional();
  return s.optional().catch(undefined);
}

/** zod 4 checks the count before the elements, as the hot-path checker does (same first issue). */
function counted(min: number, max: number, element: z.ZodType): z.ZodType {
  return z.array(element).min(min).max(max);
}

function base(f: Field): z.ZodType {
  switch (f.t) {
    case 'str': {
      const s = f.nonEmpty ? z.string().min(1) : z.string();
      if (f.over === 'refuse') return s.max(f.max);
      const max = f.max;
      return s.transform((v) => cut(v, max));
    }
    case 'num': {
      const n = z.number().min(f.min).max(f.max);
      return f.int ? n.int() : n;
    }
    case 'strs':
      return counted(0, f.maxItems, z.string().max(f.max));
    case 'nums': {
      const n = z.number().min(f.min).max(f.max);
      return counted(0, f.maxItems, f.int ? n.int() : n);
    }
    case 'obj':
      return shapeToZod(f.shape);
    case 'objs':
      return counted(f.minItems, f.maxItems, shapeToZod(f.shape));
    case 'ext':
      return z.looseObject({});
  }
}

/** A loose object (unknown keys kept) with one entry per declared field. */
export function shapeToZod(shape: Shape): z.ZodObject {
  const out: Record<string, z.ZodType> = {};
  for (const [k, f] of Object.entries(shape)) out[k] = withPolicy(base(f), f);
  return z.looseObject(out);
}
