import { clickhouseService } from './clickhouse.js';
import { kafkaService } from './kafka.js';
import { REGIONS, parsePorts, type Ports, type Region } from './ports.js';
import { withLock, type Log } from './proc.js';
import { redisService } from './redis.js';
import { startAndWait, stateOf, stop, type Service, type ServiceState } from './service.js';

export { DEFAULT_REGIONS, PortsConfigError, REGIONS, isRegion, parsePorts } from './ports.js';
export type { Ports, Region } from './ports.js';
export { ServiceStartError } from './proc.js';
export type { ServiceState } from './service.js';

/** Where clients connect, per region. */
export interface Endpoints {
  /** Kafka bootstrap servers, `host:port`. */
  readonly kafka: Partial<Record<Region, string>>;
  /** Redis URLs, `redis://host:port`. */
  readonly redis: Partial<Record<Region, string>>;
  /** ClickHouse HTTP interface URL. */
  readonly clickhouse: string;
}

export interface InfraOptions {
  readonly regions: readonly Region[];
  /** Progress lines. @default no output */
  readonly log?: Log;
  /** Where port overrides are read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

export interface ServiceStatus {
  readonly name: string;
  readonly state: ServiceState;
  readonly endpoint: string;
}

const quiet: Log = () => undefined;

/** Endpoints for `regions`, derived from the (env-overridable) ports; starts nothing. */
export function endpoints(regions: readonly Region[], ports: Ports = parsePorts()): Endpoints {
  const kafka: Partial<Record<Region, string>> = {};
  const redis: Partial<Record<Region, string>> = {};
  for (const r of regions) {
    kafka[r] = `127.0.0.1:${ports.kafka[r]}`;
    redis[r] = `redis://127.0.0.1:${ports.redis[r]}`;
  }
  return { kafka, redis, clickhouse: `http://127.0.0.1:${ports.clickhouseHttp}` };
}

function services(regions: readonly Region[], ports: Ports): Service[] {
  return [
    ...regions.map((r) => kafkaService(r, ports)),
    ...regions.map((r) => redisService(r, ports)),
    clickhouseService(ports),
  ];
}

/**
 * Installs what is missing, starts every service that is not already healthy, and resolves
 * once all of them answer. Services already healthy on their port are reused.
 */
export async function up(opts: InfraOptions): Promise<Endpoints> {
  const log = opts.log ?? quiet;
  const ports = parsePorts(opts.env);
  const all = services(opts.regions, ports);
  await withLock(
    'infra',
    async () => {
      const states = await Promise.all(all.map(stateOf));
      const toStart: Service[] = [];
      all.forEach((svc, i) => {
        const state = states[i];
        if (state === 'up') log(`${svc.name}: reused ${svc.endpoint}`);
        else if (state === 'up (external)') log(`${svc.name}: reused (external) ${svc.endpoint}`);
        else toStart.push(svc);
      });
      // Sequential: apt-get and mvn must not run concurrently with themselves.
      for (const svc of toStart) await svc.install(log);
      const results = await Promise.allSettled(
        toStart.map(async (svc) => {
          await startAndWait(svc, log);
          log(`${svc.name}: up ${svc.endpoint}`);
        }),
      );
      const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1) {
        throw new AggregateError(errors, errors.map((e) => (e as Error).message).join('\n'));
      }
    },
    { timeoutMs: 180_000, log },
  );
  return endpoints(opts.regions, ports);
}

/** Stops the services we started for `regions` (all regions by default); leaves external ones. */
export async function down(opts: Partial<InfraOptions> = {}): Promise<void> {
  const log = opts.log ?? quiet;
  const all = services(opts.regions ?? REGIONS, parsePorts(opts.env));
  await withLock(
    'infra',
    async () => {
      await Promise.all(all.map((svc) => stop(svc, log)));
    },
    { timeoutMs: 180_000, log },
  );
}

/** State and endpoint of each service for `regions` (all regions by default). */
export async function status(opts: Partial<InfraOptions> = {}): Promise<ServiceStatus[]> {
  const all = services(opts.regions ?? REGIONS, parsePorts(opts.env));
  return Promise.all(
    all.map(async (svc) => ({ name: svc.name, state: await stateOf(svc), endpoint: svc.endpoint })),
  );
}
