import type { ClickEvent, ImpressionEvent, Region } from '@streambid/contracts';
import { privacyField, UNRESTRICTED } from '@streambid/privacy';
import { cidrBounds, DATACENTRE_RANGES, intToIpv4 } from '@streambid/reference-data';
import { BOT_USER_AGENTS, BROWSER_USER_AGENTS } from './agents.js';
import {
  ALL_BOT_CLASSES,
  BOT_PATTERNS,
  type BotClass,
  type Site,
  type TrafficLabel,
  type Visitor,
} from './classes.js';
import { addHardPatterns } from './hard.js';
import { applyLabelNoise, type LabelNoise } from './noise.js';
import { mulberry32 } from './random.js';

export {
  ALL_BOT_CLASSES,
  BOT_PATTERNS,
  BotPattern,
  HARD_BOT_PATTERNS,
  HardBotPattern,
  type BotClass,
  type TrafficLabel,
} from './classes.js';
export type { LabelNoise } from './noise.js';

export interface Labelled<E> {
  /** Ground truth: who really produced the event. */
  label: TrafficLabel;
  /**
   * The label as an annotator would give it: `label`, except for the share `labelNoise` of events
   * flipped (a person marked as a bot class, a bot marked `human`). Equal to `label` by default.
   */
  noisyLabel: TrafficLabel;
  event: E;
}

/** Options for {@link generateTraffic}. */
export interface TrafficOptions {
  /** Same seed, same options → the same events, byte for byte. */
  seed: number;
  /** Start of the window, ms since epoch. */
  startTs: number;
  /** Window length. @default 3_600_000 */
  durationMs?: number;
  /** Region stamped on every event. @default 'eu' */
  region?: Region;
  /** Impressions served to people. @default 50_000 */
  humanImpressions?: number;
  /** Share of human impressions that are clicked. @default 0.02 */
  humanCtr?: number;
  /** Distinct people (cookies). @default humanImpressions / 10 */
  users?: number;
  /** Distinct legitimate sites. @default 60 */
  sites?: number;
  /** Campaigns. @default 8 */
  campaigns?: number;
  /**
   * Approximate number of bot clicks per class (easy patterns and the opt-in hard classes of
   * `hard.ts`); a class absent or 0 is not generated. @default {}
   */
  bots?: Partial<Record<BotClass, number>>;
  /**
   * How people's click-to-impression times are drawn. `legacy`: 7.4–24.5 s, never faster (keeps
   * old seeds byte for byte). `realistic`: log-normal, median 9 s, with the few fast clickers
   * (~0.5 % under 1 s, ~7 % under 2.5 s) real traffic has, so a click-timing rule pays in false
   * positives for what it catches. @default 'legacy'
   */
  humanTiming?: 'legacy' | 'realistic';
  /**
   * Share of events (impressions and clicks, drawn independently) whose `noisyLabel` is flipped;
   * drawn from its own random stream, so the events are the same whatever the share. @default 0
   */
  labelNoise?: number;
  /** Prefix of every generated id (keeps runs apart in shared topics). @default 'g' */
  idPrefix?: string;
}

/** What the generator produced, in event-time order, plus facts the evaluation needs. */
export interface Traffic {
  impressions: Labelled<ImpressionEvent>[];
  clicks: Labelled<ClickEvent>[];
  /** The site the click farm runs on (empty when no farm). */
  farmSite: string;
  /** The label noise applied: the share asked for and the events flipped. */
  labelNoise: LabelNoise;
}

/** The request-side view of an event: what a bidder sees in the bid request. */
export interface RequestHint {
  ip?: string;
  ua?: string;
  siteDomain?: string;
  publisherId?: string;
  placement?: string;
  userId?: string;
}

export function requestHint(e: ImpressionEvent | ClickEvent): RequestHint {
  const h: RequestHint = {};
  if (e.ip !== undefined) h.ip = e.ip;
  if (e.ua !== undefined) h.ua = e.ua;
  if (e.siteDomain !== undefined) h.siteDomain = e.siteDomain;
  if (e.publisherId !== undefined) h.publisherId = e.publisherId;
  if (e.placement !== undefined) h.placement = e.placement;
  if (e.userId !== undefined) h.userId = e.userId;
  return h;
}

const COUNTRIES = ['DEU', 'FRA', 'GBR', 'USA', 'ESP', 'ITA', 'NLD', 'POL'];
const DC = DATACENTRE_RANGES.map((r) => cidrBounds(r.cidr));
/** What the bidder writes on events of traffic without privacy signals (docs/privacy.md). */
const STORED_UNDER = privacyField(UNRESTRICTED);

/** Deterministic, I/O-free generator of labelled impressions and clicks. */
export function generateTraffic(opts: TrafficOptions): Traffic {
  const rnd = mulberry32(opts.seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const start = opts.startTs;
  const dur = opts.durationMs ?? 3_600_000;
  const region = opts.region ?? 'eu';
  const prefix = `${opts.idPrefix ?? 'g'}${String(opts.seed)}`;
  let seq = 0;
  const nextId = (k: string): string => `${prefix}-${k}${(seq++).toString(36)}`;

  // Residential addresses: random /8s outside the data-centre sample and reserved space.
  const residential = (): string => {
    for (;;) {
      const n = (int(223) + 1) * 16_777_216 + int(16_777_216);
      const first = n >>> 24;
      if (first === 10 || first === 127 || first === 100 || first === 172 || first === 192)
        continue;
      if (DC.some((r) => n >= r.start && n <= r.end)) continue;
      return intToIpv4(n);
    }
  };
  const visitor = (ip: string, ua: string = pick(BROWSER_USER_AGENTS)): Visitor => ({
    userId: nextId('u'),
    ip,
    ua,
    country: pick(COUNTRIES),
    deviceType: ua.includes('Mobile') ? 4 : 2,
  });

  const humanImps = opts.humanImpressions ?? 50_000;
  const userCount = Math.max(1, opts.users ?? Math.ceil(humanImps / 10));
  const people: Visitor[] = [];
  while (people.length < userCount) {
    // Households and carrier NAT: 1–4 people behind one address.
    const ip = residential();
    const size = rnd() < 0.8 ? 1 : 2 + int(3);
    for (let i = 0; i < size && people.length < userCount; i++) people.push(visitor(ip));
  }
  const sites: Site[] = Array.from({ length: opts.sites ?? 60 }, (_, i) => ({
    domain: `site${String(i)}.example.com`,
    publisherId: `pub-${String(i % 20)}`,
    placements: ['top', 'side', 'bottom'].slice(0, 1 + (i % 3)),
  }));
  const campaigns = Array.from({ length: opts.campaigns ?? 8 }, (_, i) => `camp-${String(i)}`);
  // Zipf-like popularity: a few big sites, a long tail.
  const siteAt = (): Site => sites[Math.floor(sites.length * rnd() ** 2)] as Site;

  const impressions: Labelled<ImpressionEvent>[] = [];
  const clicks: Labelled<ClickEvent>[] = [];
  const ctitHuman =
    opts.humanTiming === 'realistic'
      ? (): number => {
          // Box–Muller: one standard normal from two uniforms (1 − u keeps the log finite).
          const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
          return Math.min(600_000, Math.max(300, Math.round(Math.exp(Math.log(9000) + 0.85 * z))));
        }
      : (): number => Math.round(2500 + Math.exp(8.5 + rnd() * 1.5));

  /** Who saw which ad where: the context impressions and clicks share. */
  const shownTo = (v: Visitor, site: Site, campaignId: string) => ({
    campaignId,
    privacy: STORED_UNDER,
    creativeId: `${campaignId}-cr1`,
    userId: v.userId,
    ip: v.ip,
    ua: v.ua,
    siteDomain: site.domain,
    publisherId: site.publisherId,
    placement: pick(site.placements),
    country: v.country,
    deviceType: v.deviceType,
  });

  const serve = (
    label: TrafficLabel,
    v: Visitor,
    site: Site,
    ts: number,
    campaignId: string = pick(campaigns),
  ): ImpressionEvent => {
    const bidId = nextId('b');
    const event: ImpressionEvent = {
      eventId: nextId('i'),
      ts,
      region,
      bidId,
      requestId: `r-${bidId}`,
      ...shownTo(v, site, campaignId),
    };
    impressions.push({ label, noisyLabel: label, event });
    return event;
  };
  const click = (label: TrafficLabel, imp: ImpressionEvent, delayMs: number): void => {
    const { requestId: _r, ...ctx } = imp;
    clicks.push({
      label,
      noisyLabel: label,
      event: { ...ctx, eventId: nextId('c'), ts: imp.ts + delayMs, impressionTs: imp.ts },
    });
  };
  const at = (from = 0, span = dur): number => start + from + int(Math.max(1, span));

  for (let i = 0; i < humanImps; i++) {
    const imp = serve('human', pick(people), siteAt(), at(0, dur - 60_000));
    if (rnd() < (opts.humanCtr ?? 0.02)) click('human', imp, ctitHuman());
  }

  const bots = opts.bots ?? {};
  const n = (p: BotClass): number => Math.max(0, Math.round(bots[p] ?? 0));

  // Data-centre traffic: browser-looking agents, a click or two per cloud address.
  for (let i = 0; i < n('datacentre'); i++) {
    const r = pick(DC);
    const v = visitor(intToIpv4(r.start + int(r.end - r.start + 1)));
    click('datacentre', serve('datacentre', v, siteAt(), at(0, dur - 60_000)), ctitHuman());
  }
  // Declared crawlers and scripts from residential proxies.
  for (let i = 0; i < n('declared_bot'); i++) {
    const v = visitor(residential(), pick(BOT_USER_AGENTS));
    click('declared_bot', serve('declared_bot', v, siteAt(), at(0, dur - 60_000)), ctitHuman());
  }
  // Click injection: malware fires the click milliseconds after the impression renders.
  for (let i = 0; i < n('injection'); i++) {
    const v = visitor(residential());
    click('injection', serve('injection', v, siteAt(), at(0, dur - 60_000)), 20 + int(600));
  }
  // Bursts from single addresses: 40 clicks within a few minutes.
  for (let done = 0; done < n('ip_burst');) {
    const v = visitor(residential());
    const t0 = at(0, dur - 600_000);
    for (let k = 0; k < 40 && done < n('ip_burst'); k++, done++)
      click('ip_burst', serve('ip_burst', v, siteAt(), t0 + int(300_000)), ctitHuman());
  }
  // Bursts spread over a /24: 25 addresses with 3 clicks each in ten minutes.
  for (let done = 0; done < n('subnet_burst');) {
    const base = (residential().split('.').slice(0, 3).join('.') as string) + '.';
    const t0 = at(0, dur - 900_000);
    for (let a = 0; a < 25 && done < n('subnet_burst'); a++) {
      const v = visitor(`${base}${String(10 + a)}`);
      for (let k = 0; k < 3 && done < n('subnet_burst'); k++, done++)
        click('subnet_burst', serve('subnet_burst', v, siteAt(), t0 + int(600_000)), ctitHuman());
    }
  }
  // Cookie stuffing: one address cycling through fresh cookies, one click each.
  for (let done = 0; done < n('cookie_stuffing');) {
    const ip = residential();
    for (let k = 0; k < 30 && done < n('cookie_stuffing'); k++, done++)
      click(
        'cookie_stuffing',
        serve('cookie_stuffing', visitor(ip), siteAt(), at(0, dur - 60_000)),
        ctitHuman(),
      );
  }
  // Click farm: a few dozen devices on one made-up site clicking most ads they are shown.
  let farmSite = '';
  if (n('click_farm') > 0) {
    farmSite = `farm-${prefix}.example.net`;
    const farm: Site = { domain: farmSite, publisherId: `pub-farm-${prefix}`, placements: ['top'] };
    const devices = Array.from({ length: 30 }, () => visitor(residential()));
    for (let done = 0; done < n('click_farm');) {
      const imp = serve('click_farm', pick(devices), farm, at(0, dur - 60_000));
      if (rnd() < 0.6) {
        click('click_farm', imp, ctitHuman());
        done++;
      }
    }
  }
  // Click spam: clicks reported for ads that were never rendered.
  for (let i = 0; i < n('no_impression'); i++) {
    const v = visitor(residential());
    const site = siteAt();
    const campaignId = pick(campaigns);
    clicks.push({
      label: 'no_impression',
      noisyLabel: 'no_impression',
      event: {
        eventId: nextId('c'),
        ts: at(0, dur - 60_000),
        region,
        bidId: nextId('b'),
        ...shownTo(v, site, campaignId),
      },
    });
  }

  // The hard classes come last and draw nothing when absent: old seeds give the same events.
  addHardPatterns(
    {
      rnd,
      int,
      pick,
      at,
      dur,
      residential,
      visitor,
      serve,
      click,
      ctitHuman,
      siteAt,
      campaigns,
      people,
    },
    n,
  );

  const byTime = (a: Labelled<{ ts: number }>, b: Labelled<{ ts: number }>): number =>
    a.event.ts - b.event.ts;
  impressions.sort(byTime);
  clicks.sort(byTime);
  const generated = ALL_BOT_CLASSES.filter((c) => n(c) > 0);
  const labelNoise = applyLabelNoise(
    [impressions, clicks],
    opts.labelNoise ?? 0,
    opts.seed,
    generated.length > 0 ? generated : BOT_PATTERNS,
  );
  return { impressions, clicks, farmSite, labelNoise };
}
