/**
 * The per-second snapshot the page draws: for every region its live figures from the services'
 * `/metrics` (over the second since the previous scrape) and what the streams say (top campaigns'
 * spend against budget, blocklist, top invalid sites). Pure: the scraper and the stream feed
 * hand it their results.
 */
import { regionLive, targetWindow, type RegionLive, type Scrape } from './live-metrics.js';
import type { CampaignRow, InvalidSite, StreamView } from './stream-view.js';

/** A service whose `/metrics` the dashboard scrapes. */
export interface Target {
  region: string;
  /** `bidder`, `inventory`, … */
  service: string;
  /** Base URL; `/metrics` is appended. */
  url: string;
}

/** One scrape's outcome. */
export type ScrapeResult =
  { target: Target; ok: true; scrape: Scrape } | { target: Target; ok: false; error: string };

export interface RegionSnapshot extends RegionLive {
  region: string;
  targets: { service: string; url: string; up: boolean; error?: string }[];
  /** Top campaigns by spend in this region. */
  campaigns: CampaignRow[];
  invalidSites: InvalidSite[];
  /** Unexpired entries in this region's copy of the blocklist stream. */
  blocklistStreamEntries: number;
}

export interface DashboardSnapshot {
  /** When the scrapes were taken (ms). */
  ts: number;
  regions: RegionSnapshot[];
}

/** How much of the streams each region's panel shows. */
export interface SnapshotLimits {
  /** @default 5 */
  topCampaigns: number;
  /** @default 5 */
  topSites: number;
}

const keyOf = (t: Target): string => `${t.region}|${t.service}|${t.url}`;

/**
 * Turns each round of scrapes into a snapshot, remembering the previous scrape of every target:
 * a target's counts are the difference between its two latest successful scrapes.
 */
export class SnapshotBuilder {
  private readonly previous = new Map<string, Scrape>();

  constructor(
    private readonly regions: readonly string[],
    private readonly limits: SnapshotLimits = { topCampaigns: 5, topSites: 5 },
  ) {}

  build(atMs: number, results: readonly ScrapeResult[], view: StreamView): DashboardSnapshot {
    const regions = this.regions.map((region): RegionSnapshot => {
      const mine = results.filter((r) => r.target.region === region);
      const windows = [];
      for (const r of mine) {
        if (!r.ok) continue;
        const k = keyOf(r.target);
        const prev = this.previous.get(k);
        if (prev) windows.push(targetWindow(prev, r.scrape));
        this.previous.set(k, r.scrape);
      }
      return {
        region,
        ...regionLive(windows),
        targets: mine.map((r) => ({
          service: r.target.service,
          url: r.target.url,
          up: r.ok,
          ...(r.ok ? {} : { error: r.error }),
        })),
        campaigns: view.topCampaigns(region, this.limits.topCampaigns),
        invalidSites: view.topInvalidSites(region, this.limits.topSites, atMs),
        blocklistStreamEntries: view.blocklistSize(region, atMs),
      };
    });
    return { ts: atMs, regions };
  }
}

/** The latest `capacity` snapshots, oldest first: what a page that just connected draws. */
export class History {
  private readonly items: DashboardSnapshot[] = [];
  constructor(private readonly capacity: number) {}

  push(s: DashboardSnapshot): void {
    this.items.push(s);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  all(): readonly DashboardSnapshot[] {
    return this.items;
  }
}
