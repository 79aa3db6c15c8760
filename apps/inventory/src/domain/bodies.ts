import { z } from 'zod';
import { campaignSchema } from '@streambid/contracts';

/**
 * Request bodies of the campaign API. Stored records are `campaignSchema` values; these are what
 * a client may send. Unknown fields are refused (a typo must not be silently ignored). Lengths and
 * counts come from the stored schema (`LIMITS`), so an oversize list or markup is a 400 naming it;
 * limits across fields (the bidder index's cross-product, the stored size) are checked on the
 * merged record in `commands.ts`.
 */

/** A time as ms since the epoch or an ISO-8601 date-time with offset. */
const timeInput = z.union([
  z.number().int().nonnegative(),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

const flightInput = z
  .object({ start: timeInput, end: timeInput })
  .strict()
  .refine((f) => f.end > f.start, { message: 'flight end must be after start', path: ['end'] });

const budgetInput = z
  .object({
    totalMicros: z.number().int().positive(),
    dailyMicros: z.number().int().positive().optional(),
  })
  .strict();

const editable = campaignSchema
  .pick({
    advertiser: true,
    name: true,
    creatives: true,
    targeting: true,
    bidCpmMicros: true,
    currency: true,
    frequencyCap: true,
    deals: true,
    dsa: true,
    supplyChain: true,
  })
  .extend({ budget: budgetInput, flight: flightInput });

/** `POST /campaigns`. */
export const createCampaignBody = editable
  .extend({
    /** Client-chosen id; generated when absent. */
    id: z
      .string()
      .regex(
        /^[A-Za-z0-9._:-]{1,128}$/,
        'letters, digits, dot, colon, dash and underscore; at most 128',
      )
      .optional(),
    /** @default 'active' */
    status: z.enum(['active', 'paused']).default('active'),
  })
  .strict();
export type CreateCampaignBody = z.infer<typeof createCampaignBody>;

const version = z.number().int().positive();

/** `PUT /campaigns/:id`: every editable field, and the version the client last read. */
export const replaceCampaignBody = editable.extend({ version }).strict();
export type ReplaceCampaignBody = z.infer<typeof replaceCampaignBody>;

const shape = campaignSchema.shape;

/**
 * `PATCH /campaigns/:id`: some editable fields, and the version the client last read. Fields with
 * a default in the stored schema are unwrapped: an absent field must keep its stored value.
 */
export const patchCampaignBody = z
  .object({
    advertiser: shape.advertiser.optional(),
    name: shape.name.unwrap().optional(),
    creatives: shape.creatives.optional(),
    targeting: shape.targeting.unwrap().optional(),
    bidCpmMicros: shape.bidCpmMicros.optional(),
    currency: shape.currency.unwrap().optional(),
    frequencyCap: shape.frequencyCap,
    dsa: shape.dsa,
    deals: shape.deals.unwrap().optional(),
    budget: budgetInput.optional(),
    flight: flightInput.optional(),
    version,
  })
  .strict();
export type PatchCampaignBody = z.infer<typeof patchCampaignBody>;

/** `POST /campaigns/:id/pause|resume|archive`: optionally the version the client last read. */
export const statusChangeBody = z.object({ version: version.optional() }).strict();
export type StatusChangeBody = z.infer<typeof statusChangeBody>;
