import { z } from 'zod';
import { loadConfig } from '@streambid/adapters';
import { DEFAULT_PORTS, type Region } from '@streambid/contracts';

/** Regions started when none are asked for. */
export const DEFAULT_REGIONS: readonly Region[] = ['eu', 'us'];

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

/** The delay proxy's control port (`PUT /delay?ms=N`), next to the proxy. */
export function proxyControlPort(ports: Ports, region: Region): number {
  return proxyPort(ports, region) + 1;
}

/** An integer variable in lo..hi, read as `Number()` reads it; the error quotes what was set. */
const intVar = (lo: number, hi: number, expected: string) =>
  z
    .string()
    .refine(
      (raw) => {
        const n = Number(raw);
        return Number.isInteger(n) && n >= lo && n <= hi;
      },
      { error: (iss) => `expected ${expected}, got ${JSON.stringify(iss.input)}` },
    )
    .transform(Number);

const port = (fallback: number) =>
  intVar(1024, 65534, 'an integer port between 1024 and 65534').default(fallback);

// Defaults in one place (the contracts' local port table; ClickHouse's native port only matters
// here). Kafka ports are 100 apart so port + 1 (controller), + 10 (replication listener) and + 20
// (its delay proxy) never collide.
const schema = z.object({
  KAFKA_PORT_EU: port(DEFAULT_PORTS.kafka.eu),
  KAFKA_PORT_US: port(DEFAULT_PORTS.kafka.us),
  KAFKA_PORT_AP: port(DEFAULT_PORTS.kafka.ap),
  REDIS_PORT_EU: port(DEFAULT_PORTS.redis.eu),
  REDIS_PORT_US: port(DEFAULT_PORTS.redis.us),
  REDIS_PORT_AP: port(DEFAULT_PORTS.redis.ap),
  CLICKHOUSE_HTTP_PORT: port(DEFAULT_PORTS.clickhouseHttp),
  CLICKHOUSE_TCP_PORT: port(9000),
});

const delaySchema = z.object({
  REPLICATION_DELAY_MS: intVar(
    0,
    60_000,
    'an integer number of milliseconds between 0 and 60000',
  ).optional(),
});

/**
 * Parses the port variables (an empty one means the default, as in most shells' `VAR= cmd`);
 * throws the adapters' `ConfigError` naming the first bad variable.
 */
export function parsePorts(env: NodeJS.ProcessEnv = process.env): Ports {
  const p = loadConfig(schema, env);
  return {
    kafka: { eu: p.KAFKA_PORT_EU, us: p.KAFKA_PORT_US, ap: p.KAFKA_PORT_AP },
    redis: { eu: p.REDIS_PORT_EU, us: p.REDIS_PORT_US, ap: p.REDIS_PORT_AP },
    clickhouseHttp: p.CLICKHOUSE_HTTP_PORT,
    clickhouseTcp: p.CLICKHOUSE_TCP_PORT,
  };
}

/**
 * `REPLICATION_DELAY_MS`: one-way delay the proxies add on the replication path, or undefined
 * when unset (keep what runs, else 0). Throws `ConfigError` naming the variable.
 */
export function parseReplicationDelay(env: NodeJS.ProcessEnv = process.env): number | undefined {
  return loadConfig(delaySchema, env).REPLICATION_DELAY_MS;
}
