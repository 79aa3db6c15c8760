/**
 * A small language for wire contracts: one declaration per field (its type, its limits and what
 * happens when a client gets it wrong), from which the hot-path checker (`check.ts`), the zod
 * schema (`zod.ts`), the TypeScript type (`Infer`) and the property-test generators are all
 * derived. Nothing is restated by hand.
 *
 * Policies:
 * - `required`: must be present with the right type and within limits, or the input is refused.
 * - `read`: a field the service decides on; absent is fine, wrong type or out of limits refuses
 *   the input (a dropped floor, currency or privacy signal could produce a wrong decision).
 * - `tol` (tolerated): a wrong type or out-of-limit value is dropped, as if absent.
 * Strings marked `cut` are truncated to their limit instead (describing fields such as a user
 * agent). Unknown fields pass through untouched; `ext` is any object.
 */

export type Policy = 'required' | 'read' | 'tol';

// Each field type carries its policy (and an object its shape) as a type parameter, so `Infer`
// can read the checked value's type off the declaration: no second, hand-written copy of it.

export interface StrField<P extends Policy = Policy> {
  t: 'str';
  p: P;
  max: number;
  /** Over `max`: refuse (identifying strings) or cut to `max` (describing strings). */
  over: 'refuse' | 'cut';
  /** The empty string is refused (ids). */
  nonEmpty: boolean;
}

export interface NumField<P extends Policy = Policy> {
  t: 'num';
  p: P;
  min: number;
  max: number;
  int: boolean;
}

/** An array of strings, each within `item`'s limits (lists are refused whole, never cut). */
export interface StrsField<P extends Policy = Policy> {
  t: 'strs';
  p: P;
  maxItems: number;
  max: number;
}

export interface NumsField<P extends Policy = Policy> {
  t: 'nums';
  p: P;
  maxItems: number;
  min: number;
  max: number;
  int: boolean;
}

export interface ObjField<S extends Shape = Shape, P extends Policy = Policy> {
  t: 'obj';
  p: P;
  shape: S;
}

/** An array of objects. Tolerated: any bad element drops the whole array. */
export interface ObjsField<S extends Shape = Shape, P extends Policy = Policy> {
  t: 'objs';
  p: P;
  shape: S;
  minItems: number;
  maxItems: number;
}

/** An extension object: anything that is an object, else dropped. */
export interface ExtField {
  t: 'ext';
  p: 'tol';
}

export type Field = StrField | NumField | StrsField | NumsField | ObjField | ObjsField | ExtField;
export type Shape = Readonly<Record<string, Field>>;

/** What an `ext` field holds: any object, its members untyped. */
export type Ext = Record<string, unknown>;

/** The type of a value that passed field `F`'s checks. */
export type ValueOf<F extends Field> =
  F extends ObjField<infer S>
    ? Infer<S>
    : F extends ObjsField<infer S>
      ? Infer<S>[]
      : F extends StrField
        ? string
        : F extends NumField
          ? number
          : F extends StrsField
            ? string[]
            : F extends NumsField
              ? number[]
              : Ext;

type RequiredKeys<S extends Shape> = {
  [K in keyof S]: S[K]['p'] extends 'required' ? K : never;
}[keyof S];

/**
 * The type of an object that passed shape `S`'s checks (what the checker leaves in place and the
 * zod schema returns): required fields present, the others optional (absent, never `undefined`),
 * unknown members untyped and so not listed. Field comments in the declaration carry over.
 */
export type Infer<S extends Shape> = {
  -readonly [K in keyof S as K extends RequiredKeys<S> ? K : never]: ValueOf<S[K]>;
} & {
  -readonly [K in keyof S as K extends RequiredKeys<S> ? never : K]?: ValueOf<S[K]>;
} extends infer O
  ? { [K in keyof O]: O[K] }
  : never;

/** A string that identifies something: refused over `max`. */
export const str = <P extends Policy = 'read'>(max: number, p: P = 'read' as P): StrField<P> => ({
  t: 'str',
  p,
  max,
  over: 'refuse',
  nonEmpty: false,
});
/** A required non-empty identifying string. */
export const id = (max: number): StrField<'required'> => ({
  t: 'str',
  p: 'required',
  max,
  over: 'refuse',
  nonEmpty: true,
});
/** A describing string: cut to `max`. */
export const text = <P extends Policy = 'read'>(max: number, p: P = 'read' as P): StrField<P> => ({
  t: 'str',
  p,
  max,
  over: 'cut',
  nonEmpty: false,
});
/** A finite number in `[min, max]`. */
export const num = <P extends Policy = 'read'>(
  min: number,
  max: number,
  p: P = 'read' as P,
): NumField<P> => ({ t: 'num', p, min, max, int: false });
/** A whole number in `[min, max]`. */
export const int = <P extends Policy = 'read'>(
  min: number,
  max: number,
  p: P = 'read' as P,
): NumField<P> => ({ t: 'num', p, min, max, int: true });
export const strs = <P extends Policy = 'read'>(
  maxItems: number,
  max: number,
  p: P = 'read' as P,
): StrsField<P> => ({ t: 'strs', p, maxItems, max });
export const ints = <P extends Policy = 'read'>(
  maxItems: number,
  min: number,
  max: number,
  p: P = 'read' as P,
): NumsField<P> => ({ t: 'nums', p, maxItems, min, max, int: true });
export const obj = <S extends Shape, P extends Policy = 'read'>(
  shape: S,
  p: P = 'read' as P,
): ObjField<S, P> => ({ t: 'obj', p, shape });
export const objs = <S extends Shape, P extends Policy = 'read'>(
  shape: S,
  maxItems: number,
  p: P = 'read' as P,
  minItems = 0,
): ObjsField<S, P> => ({ t: 'objs', p, shape, minItems, maxItems });
export const ext: ExtField = { t: 'ext', p: 'tol' };

/** `F` with its policy set to `tol`. */
export type Tolerated<F extends Field> = { [K in keyof F]: K extends 'p' ? 'tol' : F[K] };

/** The same field, tolerated. */
export function tol<F extends Exclude<Field, ExtField>>(f: F): Tolerated<F> {
  return { ...f, p: 'tol' } as Tolerated<F>;
}
