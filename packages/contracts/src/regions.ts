/** Regions a deployment can run. Each region is a Kafka-API cluster, a Redis and a set of apps. */
export const REGIONS = ['eu', 'us', 'ap'] as const;
export type Region = (typeof REGIONS)[number];

/** The region that hosts ClickHouse and receives replicated clicks and impressions. */
export const ANALYTICS_REGION: Region = 'eu';

/** Local default ports per region (overridable through the environment; see README). */
export const DEFAULT_PORTS = {
  kafka: { eu: 9092, us: 9192, ap: 9292 },
  redis: { eu: 6379, us: 6380, ap: 6381 },
  clickhouseHttp: 8123,
} as const;

export function isRegion(value: string): value is Region {
  return (REGIONS as readonly string[]).includes(value);
}

/** Parses a comma-separated region list such as `eu,us`; returns null on any unknown or repeated region. */
export function parseRegionList(value: string): Region[] | null {
  const parts = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  if (parts.length === 0) return null;
  const out: Region[] = [];
  for (const p of parts) {
    if (!isRegion(p) || out.includes(p)) return null;
    out.push(p);
  }
  return out;
}
