import { z } from 'zod';
import { commonEnv, env, loadConfig } from '@streambid/adapters';
import {
  DEFAULT_PORTS,
  isRegion,
  parseRegionList,
  REGIONS,
  type Region,
} from '@streambid/contracts';
import type { Target } from './snapshot.js';

/** `eu=host:port,us=host:port` → brokers per region. */
const brokerMap = z.string().transform((raw, ctx) => {
  const out = new Map<Region, string>();
  for (const part of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [region = '', broker = ''] = part.split('=', 2).map((s) => s.trim());
    if (!isRegion(region) || !/^[^\s:]+:\d{1,5}$/.test(broker)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected region=host:port, got ${JSON.stringify(part)}`,
      });
      return z.NEVER;
    }
    out.set(region, broker);
  }
  return out;
});

/** `eu:bidder=http://…,us:inventory=http://…` → scrape targets. */
const targetList = z.string().transform((raw, ctx) => {
  const out: Target[] = [];
  for (const part of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([a-z]{2}):([a-z][a-z0-9-]*)=(https?:\/\/\S+)$/.exec(part);
    if (!m?.[1] || !m[2] || !m[3] || !isRegion(m[1])) {
      ctx.addIssue({
        code: 'custom',
        message: `expected region:service=http://host:port, got ${JSON.stringify(part)}`,
      });
      return z.NEVER;
    }
    out.push({ region: m[1], service: m[2], url: m[3].replace(/\/+$/, '') });
  }
  return out;
});

/** Environment of the dashboard; every default lives here. */
export const dashboardEnv = z.object({
  /** Port of the page, its WebSocket feed, /healthz and /metrics. */
  DASHBOARD_PORT: env.port(8060),
  /** Interface to bind (the page shows money: loopback unless told otherwise). */
  DASHBOARD_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * Token that opens the page and the socket (at least 16 characters). @default a random one,
   * printed with the URL at start
   */
  DASHBOARD_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** Regions shown, comma-separated. */
  DASHBOARD_REGIONS: z
    .string()
    .default('eu,us')
    .transform((raw, ctx) => {
      const list = parseRegionList(raw);
      if (!list) {
        ctx.addIssue({ code: 'custom', message: `expected a list of ${REGIONS.join(', ')}` });
        return z.NEVER;
      }
      return list;
    }),
  /** Kafka bootstrap server per region, `eu=host:port,us=host:port`. @default the local ports */
  DASHBOARD_KAFKA: brokerMap.optional(),
  /**
   * Services whose /metrics are scraped, `eu:bidder=http://host:port,…`. @default each region's
   * bidder and inventory on the local ports
   */
  DASHBOARD_TARGETS: targetList.optional(),
  /** How often the services are scraped and the page updated (ms). */
  DASHBOARD_SCRAPE_MS: z.coerce.number().int().min(200).max(60_000).default(1000),
  /** Snapshots kept for a page that connects (one per scrape). */
  DASHBOARD_HISTORY: z.coerce.number().int().min(1).max(3600).default(120),
  /** Campaigns listed per region (most spend first). */
  DASHBOARD_TOP_CAMPAIGNS: z.coerce.number().int().min(1).max(100).default(5),
  /** Invalid sites listed per region (highest score first). */
  DASHBOARD_TOP_SITES: z.coerce.number().int().min(1).max(100).default(5),
  /** Prefix of every topic name (isolated runs). */
  TOPIC_NAMESPACE: commonEnv.TOPIC_NAMESPACE,
  /** pino level. */
  LOG_LEVEL: commonEnv.LOG_LEVEL,
});

type RawConfig = z.infer<typeof dashboardEnv>;

/** The dashboard's configuration with every default filled in. */
export interface DashboardConfig extends Omit<
  RawConfig,
  'DASHBOARD_KAFKA' | 'DASHBOARD_TARGETS' | 'DASHBOARD_TOKEN'
> {
  DASHBOARD_TOKEN: string | undefined;
  brokers: Map<Region, string>;
  targets: Target[];
}

/** Ports of a region's apps on a local run (100 apart per region, as the README lists them). */
function localTargets(regions: readonly Region[]): Target[] {
  return regions.flatMap((region) => {
    const o = REGIONS.indexOf(region) * 100;
    return [
      { region, service: 'bidder', url: `http://127.0.0.1:${String(8080 + o)}` },
      { region, service: 'inventory', url: `http://127.0.0.1:${String(8090 + o)}` },
    ];
  });
}

export function loadDashboardConfig(
  e: Record<string, string | undefined> = process.env,
): DashboardConfig {
  const raw = loadConfig(dashboardEnv, e);
  const { DASHBOARD_KAFKA, DASHBOARD_TARGETS, DASHBOARD_TOKEN, ...rest } = raw;
  const brokers = new Map<Region, string>();
  for (const r of raw.DASHBOARD_REGIONS)
    brokers.set(r, DASHBOARD_KAFKA?.get(r) ?? `127.0.0.1:${String(DEFAULT_PORTS.kafka[r])}`);
  const targets = (DASHBOARD_TARGETS ?? localTargets(raw.DASHBOARD_REGIONS)).filter((t) =>
    (raw.DASHBOARD_REGIONS as readonly string[]).includes(t.region),
  );
  return { ...rest, DASHBOARD_TOKEN, brokers, targets };
}
