import type { ImpressionEvent } from '@streambid/contracts';
import { BROWSER_USER_AGENTS } from './agents.js';
import type { BotClass, Site, TrafficLabel, Visitor } from './classes.js';

/** The generator's building blocks the hard classes draw with (one random stream, one id space). */
export interface HardContext {
  rnd: () => number;
  int: (n: number) => number;
  pick: <T>(xs: readonly T[]) => T;
  /** A time in [start + from, start + from + span). */
  at: (from?: number, span?: number) => number;
  dur: number;
  /** A residential (non-data-centre, non-reserved) IPv4 address. */
  residential: () => string;
  visitor: (ip: string, ua?: string) => Visitor;
  serve: (
    label: TrafficLabel,
    v: Visitor,
    site: Site,
    ts: number,
    campaignId?: string,
  ) => ImpressionEvent;
  click: (label: TrafficLabel, imp: ImpressionEvent, delayMs: number) => void;
  /** People's click-to-impression time, as the generator draws it for humans. */
  ctitHuman: () => number;
  siteAt: () => Site;
  campaigns: readonly string[];
  /** The generated people (their addresses are households and carrier NAT). */
  people: readonly Visitor[];
}

/** Phones: the devices cookie stuffing and click injection run on. */
const MOBILE_AGENTS = BROWSER_USER_AGENTS.filter((ua) => ua.includes('Mobile'));

/**
 * Appends the hard classes, each about `n(class)` clicks; a class with 0 draws nothing, so a mix
 * without them is the same, event for event, as before they existed.
 */
export function addHardPatterns(g: HardContext, n: (c: BotClass) => number): void {
  residentialProxy(g, n('residential_proxy'));
  lowAndSlow(g, n('low_and_slow'));
  deviceStuffing(g, n('device_stuffing'));
  delayedInjection(g, n('delayed_injection'));
}

/**
 * Residential-proxy bots: browser automation (a real, not headless, browser) behind a rotating proxy
 * pool. Every session is a fresh cookie on a fresh exit address (now and then one the pool hands
 * out again), a real browser agent, one to four page views on ordinary sites spaced like reading,
 * and one click at a person's click-through time — on the two campaigns it is paid to drain.
 */
function residentialProxy(g: HardContext, total: number): void {
  if (total === 0) return;
  const targets = [g.pick(g.campaigns), g.pick(g.campaigns)];
  const pool: string[] = [];
  for (let done = 0; done < total; done++) {
    const reuse = pool.length > 0 && g.rnd() < 0.15;
    const ip = reuse ? g.pick(pool) : g.residential();
    if (!reuse) pool.push(ip);
    const v = g.visitor(ip);
    const pages = 1 + g.int(4);
    let ts = g.at(0, g.dur - 600_000);
    const shown: ImpressionEvent[] = [];
    for (let p = 0; p < pages; p++, ts += 10_000 + g.int(80_000))
      shown.push(g.serve('residential_proxy', v, g.siteAt(), ts, g.pick(targets)));
    g.click('residential_proxy', g.pick(shown), g.ctitHuman());
  }
}

/** Most clicks one address of {@link lowAndSlow} makes in the whole window. */
export const LOW_AND_SLOW_MAX_CLICKS_PER_IP = 3;

/**
 * Low-and-slow click spam: a botnet of infected home computers, each with its own address (spread
 * over the whole IPv4 residential space, not one subnet), its own long-lived cookie and browser,
 * browsing a few pages across the window and clicking one to three of the ads it renders, at
 * human-like delays — never enough from one address, subnet or cookie to make a burst.
 */
function lowAndSlow(g: HardContext, total: number): void {
  for (let done = 0; done < total;) {
    const v = g.visitor(g.residential());
    const clicks = Math.min(total - done, 1 + g.int(LOW_AND_SLOW_MAX_CLICKS_PER_IP));
    const views = clicks + g.int(4);
    const shown = Array.from({ length: views }, () =>
      g.serve('low_and_slow', v, g.siteAt(), g.at(0, g.dur - 60_000)),
    );
    for (let k = 0; k < clicks; k++, done++)
      g.click('low_and_slow', shown[k] as ImpressionEvent, g.ctitHuman());
  }
}

/**
 * Cookie stuffing from one device: a phone that clears its cookies (or opens a private tab) before
 * every visit, 20–40 identities a day, each shown one or two ads and clicking one. The phone is
 * on its home Wi-Fi address most of the time and on its carrier's NAT address — shared with real
 * people — the rest, so no one address carries all its cookies.
 */
function deviceStuffing(g: HardContext, total: number): void {
  for (let done = 0; done < total;) {
    const home = g.residential();
    const carrier = g.people.length > 0 ? g.pick(g.people).ip : g.residential();
    const ua = g.pick(MOBILE_AGENTS);
    const identities = Math.min(total - done, 20 + g.int(21));
    for (let k = 0; k < identities; k++, done++) {
      const v = g.visitor(g.rnd() < 0.6 ? home : carrier, ua);
      const ts = g.at(0, g.dur - 120_000);
      const first = g.serve('device_stuffing', v, g.siteAt(), ts);
      const shown =
        g.rnd() < 0.5
          ? first
          : g.serve('device_stuffing', v, g.siteAt(), ts + 20_000 + g.int(60_000));
      g.click('device_stuffing', shown, g.ctitHuman());
    }
  }
}

/** Fastest and slowest click-to-impression time of {@link delayedInjection}. */
export const DELAYED_INJECTION_MS = { min: 1000, max: 6000 } as const;

/**
 * Click injection with plausible delays: malware on a phone that waits one to six seconds after the
 * ad renders before it fires the click — past a "too fast for a person" line, inside the range of
 * quick people. Each infected phone injects one to four clicks.
 */
function delayedInjection(g: HardContext, total: number): void {
  const { min, max } = DELAYED_INJECTION_MS;
  for (let done = 0; done < total;) {
    const v = g.visitor(g.residential(), g.pick(MOBILE_AGENTS));
    const clicks = Math.min(total - done, 1 + g.int(4));
    for (let k = 0; k < clicks; k++, done++) {
      const imp = g.serve('delayed_injection', v, g.siteAt(), g.at(0, g.dur - 60_000));
      g.click('delayed_injection', imp, min + g.int(max - min));
    }
  }
}
