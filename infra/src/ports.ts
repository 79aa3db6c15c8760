import { z } from 'zod';

/** Regions the local stack can emulate. */
export const REGIONS = ['eu', 'us', 'ap'] as const;
export type Region = (typeof REGIONS)[number];

/** Regions started when none are asked for. */
export const DEFAULT_REGIONS: readonly Region[] = ['eu', 'us'];

export function isRegion(value: string): value is Region {
  return (REGIONS as readonly string[]).includes(value);
}

/** Every port the local stack listens on, parsed once from the environment. */
export interface Ports {
  /**
   * Kafka PLAINTEXT listener per region (what apps use). The KRaft controller listens on this
   * port + 1, the replication listener on + {@link REPLICATION_PORT_OFFSET} and its delay proxy
   * on + {@link PROXY_PORT_OFFSET}.
   */
  readonly kafka: Readonly<Record<Region, number>>;
  readonly redis: Readonly<Record<Region, number>>;
  readonly clickhouseHttp: number;
  readonly clickhouseTcp: number;
}

export class PortsConfigError extends Error {
  readonly code = 'INFRA_PORTS_CONFIG';
  constructor(
    readonly variable: string,
    readonly value: string | undefined,
    reason: string,
  ) {
    super(`${variable}=${JSON.stringify(value)}: ${reason}`);
    this.name = 'PortsConfigError';
  }
}

/** The broker's second listener, used only by MirrorMaker 2 (through the delay proxy). */
export const REPLICATION_PORT_OFFSET = 10;
/** The delaying TCP proxy in front of the replication listener; advertised by that listener. */
export const PROXY_PORT_OFFSET = 20;

/** Port of the replication listener of `region`'s broker. */
export function replicationPort(ports: Ports, region: Region): number {
  return ports.kafka[region] + REPLICATION_PORT_OFFSET;
}

/** Port of the delay proxy in front of `region`'s replication listener. */
export function proxyPort(ports: Ports, region: Region): number {
  return ports.kafka[region] + PROXY_PORT_OFFSET;
}

const port = (fallback: number) => z.coerce.number().int().min(1024).max(65534).default(fallback);

// Defaults in one place. Kafka ports are 100 apart so port + 1 (controller), + 10 (replication
// listener) and + 20 (its delay proxy) never collide.
const schema = z.object({
  KAFKA_PORT_EU: port(9092),
  KAFKA_PORT_US: port(9192),
  KAFKA_PORT_AP: port(9292),
  REDIS_PORT_EU: port(6379),
  REDIS_PORT_US: port(6380),
  REDIS_PORT_AP: port(6381),
  CLICKHOUSE_HTTP_PORT: port(8123),
  CLICKHOUSE_TCP_PORT: port(9000),
});

/** Parses the port variables; throws {@link PortsConfigError} naming the first bad variable. */
export function parsePorts(env: NodeJS.ProcessEnv = process.env): Ports {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const raw = env[key];
    // An empty variable means "use the default", as in most shells' `VAR= cmd`.
    input[key] = raw === '' ? undefined : raw;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'unknown');
    throw new PortsConfigError(
      variable,
      input[variable],
      'expected an integer port between 1024 and 65534',
    );
  }
  const p = parsed.data;
  return {
    kafka: { eu: p.KAFKA_PORT_EU, us: p.KAFKA_PORT_US, ap: p.KAFKA_PORT_AP },
    redis: { eu: p.REDIS_PORT_EU, us: p.REDIS_PORT_US, ap: p.REDIS_PORT_AP },
    clickhouseHttp: p.CLICKHOUSE_HTTP_PORT,
    clickhouseTcp: p.CLICKHOUSE_TCP_PORT,
  };
}

/**
 * `REPLICATION_DELAY_MS`: one-way delay the proxies add on the replication path, or undefined
 * when unset (keep what runs, else 0). Throws {@link PortsConfigError} naming the variable.
 */
export function parseReplicationDelay(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env['REPLICATION_DELAY_MS'];
  if (raw === undefined || raw === '') return undefined;
  const parsed = z.coerce.number().int().min(0).max(60_000).safeParse(raw);
  if (!parsed.success) {
    throw new PortsConfigError(
      'REPLICATION_DELAY_MS',
      raw,
      'expected an integer number of milliseconds between 0 and 60000',
    );
  }
  return parsed.data;
}
