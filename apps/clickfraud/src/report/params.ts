import { z } from 'zod';
import { REGIONS } from '@streambid/contracts';

export const REPORT_DIMENSIONS = [
  'site',
  'publisher',
  'ip',
  'subnet',
  'campaign',
  'region',
] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];
export const REPORT_FORMATS = ['table', 'json', 'csv'] as const;

/** ISO-8601 date/time (with a zone or `Z`; a bare date is UTC midnight) → ms since epoch. */
export const isoTime = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/,
    'expected an ISO-8601 time such as 2024-05-01T12:00:00Z',
  )
  .transform((s, ctx) => {
    const ms = Date.parse(
      /[T ]\d{2}:\d{2}/.test(s) && !/(Z|[+-]\d{2}:?\d{2})$/.test(s) ? `${s}Z` : s,
    );
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'not a valid time' });
      return z.NEVER;
    }
    return ms;
  });

// Free-text filters: bounded, printable; they reach SQL only as escaped literals.
export const filterText = z
  .string()
  .min(1)
  .max(256)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\x00-\x1f\x7f]*$/, 'control characters are not allowed');

/** Filters of a fraud report. Keys are the CLI flag / query parameter names. */
export const reportParamsSchema = z
  .object({
    from: isoTime,
    to: isoTime,
    by: z.enum(REPORT_DIMENSIONS),
    format: z.enum(REPORT_FORMATS).default('table'),
    'min-score': z.coerce.number().min(0).max(1).default(0),
    limit: z.coerce.number().int().min(1).max(100_000).default(50),
    /** Only clicks of this campaign. */
    campaign: filterText.optional(),
    /** Only clicks on this site or app. */
    site: filterText.optional(),
    publisher: filterText.optional(),
    region: z.enum(REGIONS).optional(),
    /** Model version to read instead of the current one. */
    version: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,31}$/, 'a model version is a lower-case name such as v2')
      .optional(),
  })
  .refine((p) => p.to > p.from, { message: 'must be after --from', path: ['to'] });
export type ReportParams = z.infer<typeof reportParamsSchema>;

/** A validation failure naming the offending flag/parameter. */
export class ReportParamError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(`--${param}: ${message}`);
  }
}

/** Validates raw string params; the error names the first bad parameter. */
export function parseReportParams(
  raw: Record<string, string | undefined>,
): { ok: true; params: ReportParams } | { ok: false; error: ReportParamError } {
  const known = new Set(Object.keys(reportParamsSchema.shape));
  for (const k of Object.keys(raw))
    if (!known.has(k)) return { ok: false, error: new ReportParamError(k, 'unknown parameter') };
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) clean[k] = v;
  const res = reportParamsSchema.safeParse(clean);
  if (res.success) return { ok: true, params: res.data };
  const issue = res.error.issues[0];
  const param = typeof issue?.path[0] === 'string' ? issue.path[0] : 'params';
  const msg =
    issue?.code === 'invalid_value' && param === 'by'
      ? `expected one of ${REPORT_DIMENSIONS.join('|')}`
      : (issue?.message ?? 'invalid');
  return { ok: false, error: new ReportParamError(param, msg) };
}
