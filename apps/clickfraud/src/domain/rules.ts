import { z } from 'zod';

/** Reasons a click can be invalid. GIVT = general, SIVT = sophisticated invalid traffic. */
export const Reason = {
  /** GIVT: the address belongs to a cloud / hosting provider. */
  datacenterIp: 'datacenter_ip',
  /** GIVT: a declared crawler or a non-browser client. */
  botUa: 'bot_ua',
  /** SIVT: click came too soon after the impression rendered. */
  clickInjection: 'click_injection',
  /** SIVT: too many clicks from one address in an hour. */
  ipBurst: 'ip_burst',
  /** SIVT: too many clicks from many addresses of one /24 in an hour. */
  subnetBurst: 'subnet_burst',
  /** SIVT: too many cookies seen behind one address in a day. */
  cookieStuffing: 'cookie_stuffing',
  /** SIVT: one cookie clicking far more than people do in a day. */
  cookieClicks: 'cookie_clicks',
  /** SIVT: the site/placement's CTR is far above its peers'. */
  ctrOutlier: 'ctr_outlier',
  /** SIVT: no impression was ever recorded for the clicked bid. */
  noImpression: 'no_impression',
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];
export const REASONS: readonly Reason[] = Object.values(Reason);

const weight = z.number().min(0).max(0.99);

/** Thresholds and weights of the scoring model; validated because they are rendered into SQL. */
export const scoringRulesSchema = z.object({
  /** A click faster than this after its impression is injected. @default 1000 */
  injectionMs: z.number().int().min(0).max(60_000).default(1000),
  /** Clicks per IP per hour that make a burst. @default 20 */
  ipBurstClicks: z.number().int().min(2).default(20),
  /** Clicks per /24 per hour that make a subnet burst. @default 50 */
  subnetBurstClicks: z.number().int().min(2).default(50),
  /** …from at least this many addresses. @default 5 */
  subnetBurstIps: z.number().int().min(1).default(5),
  /** Cookies per IP per day that mean cookie stuffing. @default 15 */
  cookiesPerIp: z.number().int().min(2).default(15),
  /** Clicks per cookie per day beyond anything human. @default 15 */
  clicksPerCookie: z.number().int().min(2).default(15),
  /** A placement is an outlier when its CTR exceeds this multiple of the median peer CTR… @default 5 */
  ctrFactor: z.number().min(1).max(1000).default(5),
  /** …and this absolute CTR… @default 0.1 */
  ctrFloor: z.number().min(0).max(1).default(0.1),
  /** …with at least this many clicks. @default 20 */
  ctrMinClicks: z.number().int().min(1).default(20),
  /** Peers need this many impressions to count towards the median. @default 100 */
  ctrPeerMinImpressions: z.number().int().min(1).default(100),
  /** A click scoring at least this is invalid. @default 0.5 */
  invalidScore: z.number().min(0).max(1).default(0.5),
  /** How strongly each reason alone says "invalid" (0..0.99). */
  weights: z
    .object({
      datacenter_ip: weight.default(0.9),
      bot_ua: weight.default(0.9),
      click_injection: weight.default(0.9),
      ip_burst: weight.default(0.8),
      subnet_burst: weight.default(0.7),
      cookie_stuffing: weight.default(0.8),
      cookie_clicks: weight.default(0.7),
      ctr_outlier: weight.default(0.8),
      no_impression: weight.default(0.8),
    })
    .default({
      datacenter_ip: 0.9,
      bot_ua: 0.9,
      click_injection: 0.9,
      ip_burst: 0.8,
      subnet_burst: 0.7,
      cookie_stuffing: 0.8,
      cookie_clicks: 0.7,
      ctr_outlier: 0.8,
      no_impression: 0.8,
    }),
});
export type ScoringRules = z.infer<typeof scoringRulesSchema>;

export const DEFAULT_RULES: ScoringRules = scoringRulesSchema.parse({});

/**
 * Combines independent pieces of evidence: score = 1 − Π(1 − wᵢ). One strong reason is enough to
 * cross the invalid line; several weak ones add up. The SQL in scoring/ computes the same formula.
 */
export function combineScore(
  reasons: readonly Reason[],
  rules: ScoringRules = DEFAULT_RULES,
): number {
  let keep = 1;
  for (const r of new Set(reasons)) keep *= 1 - rules.weights[r];
  return 1 - keep;
}

/** Per-click evidence, as computed from the raw row and the rollups. */
export interface ClickEvidence {
  dcProvider: string;
  botUa: boolean;
  /** −1 when unknown. */
  ctitMs: number;
  ipClicksInHour: number;
  subnetClicksInHour: number;
  subnetIpsInHour: number;
  cookiesOnIpInDay: number;
  cookieClicksInDay: number;
  placementCtrOutlier: boolean;
  hasImpression: boolean;
}

/** The reasons that apply to one click (the reference the SQL implementation is tested against). */
export function reasonsFor(e: ClickEvidence, rules: ScoringRules = DEFAULT_RULES): Reason[] {
  const out: Reason[] = [];
  if (e.dcProvider !== '') out.push(Reason.datacenterIp);
  if (e.botUa) out.push(Reason.botUa);
  if (e.ctitMs >= 0 && e.ctitMs < rules.injectionMs) out.push(Reason.clickInjection);
  if (e.ipClicksInHour >= rules.ipBurstClicks) out.push(Reason.ipBurst);
  if (e.subnetClicksInHour >= rules.subnetBurstClicks && e.subnetIpsInHour >= rules.subnetBurstIps)
    out.push(Reason.subnetBurst);
  if (e.cookiesOnIpInDay >= rules.cookiesPerIp) out.push(Reason.cookieStuffing);
  if (e.cookieClicksInDay >= rules.clicksPerCookie) out.push(Reason.cookieClicks);
  if (e.placementCtrOutlier) out.push(Reason.ctrOutlier);
  if (!e.hasImpression) out.push(Reason.noImpression);
  return out;
}
