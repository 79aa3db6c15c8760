import { z } from 'zod';
import { DEFAULT_PORTS, REGIONS, type Region } from '@streambid/contracts';
import { ConfigError } from './errors.js';

type Env = Record<string, string | undefined>;

/**
 * Parses `env` with a zod object whose keys are environment variable names. Empty strings count
 * as unset. The first problem is thrown as a ConfigError naming the variable.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: Env = process.env): z.infer<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') input[key] = v;
  }
  const res = schema.safeParse(input);
  if (res.success) return res.data;
  const issue = res.error.issues[0];
  const variable = typeof issue?.path[0] === 'string' ? issue.path[0] : '(environment)';
  throw new ConfigError(variable, issue?.message ?? 'invalid');
}

/** Building blocks for app config schemas. */
export const env = {
  port: (def: number) => z.coerce.number().int().min(1).max(65_535).default(def),
  int: (def: number) => z.coerce.number().int().default(def),
  region: () => z.enum(REGIONS).default('eu'),
  bool: (def: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
  list: () =>
    z.string().transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  logLevel: () =>
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

/** Variables every service shares: region, broker, Redis, ClickHouse, topic namespace, log level. */
export const commonEnv = {
  /** Region this process serves. */
  REGION: env.region(),
  /** Bootstrap servers, comma-separated. @default 127.0.0.1:<the region's Kafka port> */
  KAFKA_BROKERS: z.string().optional(),
  /** Redis. @default redis://127.0.0.1:<the region's Redis port> */
  REDIS_URL: z.string().optional(),
  /** ClickHouse over HTTP. */
  CLICKHOUSE_URL: z.url().default(`http://127.0.0.1:${String(DEFAULT_PORTS.clickhouseHttp)}`),
  /** Prefix of every topic name (isolated runs). */
  TOPIC_NAMESPACE: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/, 'letters, digits, dot, dash and underscore only')
    .default(''),
  /** pino level. */
  LOG_LEVEL: env.logLevel(),
};

/** Default broker list for a region on a local run (`KAFKA_BROKERS` overrides). */
export function defaultBrokers(region: Region, override?: string): string[] {
  const list = override ?? `127.0.0.1:${String(DEFAULT_PORTS.kafka[region])}`;
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Default Redis URL for a region on a local run (`REDIS_URL` overrides). */
export function defaultRedisUrl(region: Region, override?: string): string {
  return override ?? `redis://127.0.0.1:${String(DEFAULT_PORTS.redis[region])}`;
}
