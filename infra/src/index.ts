import { REGIONS, isRegion, type Region } from '@streambid/contracts';
import { clickhouseService } from './clickhouse.js';
import { kafkaService } from './kafka.js';
import { kafkaReady } from './kafka-probe.js';
import { MM2_DIR, currentMm2Config, mm2Properties, mm2Service } from './mm2.js';
import { parsePorts, parseReplicationDelay, type Ports } from './ports.js';
import { dropLease, otherLiveLeases, releaseLease, takeLease } from './leases.js';
import { ourPid, withLock, type Log } from './proc.js';
import { delayProxyService, runningDelayMs } from './proxy-service.js';
import { redisService } from './redis.js';
import { startAndWait, stateOf, stop, type Service, type ServiceState } from './service.js';

export { DEFAULT_REGIONS, parsePorts } from './ports.js';
export type { Ports } from './ports.js';
export { startDelayProxy } from './delay-proxy.js';
export type { DelayProxy, DelayProxyOptions } from './delay-proxy.js';
export { OFFSET_LAG_MAX } from './mm2.js';
export { ServiceStartError } from './proc.js';
export { ensureChromium } from './install.js';
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
  /**
   * One-way delay (ms) the proxies add on the replication path, each direction. Running proxies
   * with another delay are restarted. @default `REPLICATION_DELAY_MS`, else what runs, else 0
   */
  readonly delayMs?: number;
  /**
   * Hold a lease on the stack for this process (see `leases.ts`): {@link release} then stops what
   * was started for it once no other live process holds one. @default false
   */
  readonly lease?: boolean;
}

export interface ServiceStatus {
  readonly name: string;
  readonly state: ServiceState;
  readonly endpoint: string;
  /** The process we started for it, while it runs (none for an external service). */
  readonly pid?: number;
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
 * once all of them answer. Services already healthy on their port are reused. With two or more
 * regions it also starts the delay proxies and MirrorMaker 2 (docs/replication.md).
 */
export async function up(opts: InfraOptions): Promise<Endpoints> {
  const log = opts.log ?? quiet;
  const ports = parsePorts(opts.env);
  const delay = opts.delayMs ?? parseReplicationDelay(opts.env ?? process.env);
  const started: string[] = [];
  await withLock(
    'infra',
    async () => {
      try {
        await startStack(opts, ports, delay, log, started);
      } catch (err) {
        // A failed start leaves nothing of its own running: the caller gets the error alone.
        if (started.length > 0) {
          log(`start failed; stopping what this call started: ${started.join(', ')}`);
          await stopNamed(new Set(started.splice(0)), ports, log);
        }
        throw err;
      } finally {
        // Taken under the lock, so no one stops what we are about to use in between.
        if (opts.lease) takeLease(started);
      }
    },
    { timeoutMs: 180_000, log },
  );
  return endpoints(opts.regions, ports);
}

/** Starts what `opts` needs and is not running; names of what it started go into `started`. */
async function startStack(
  opts: InfraOptions,
  ports: Ports,
  delay: number | undefined,
  log: Log,
  started: string[],
): Promise<void> {
  await startAll(services(opts.regions, ports), log, started);
  if (opts.regions.length < 2) return;
  // Replication runs on top of healthy brokers: proxies first, then MirrorMaker.
  const proxies: Service[] = [];
  for (const r of opts.regions) {
    const running = runningDelayMs(r);
    const wanted = delay ?? running ?? 0;
    const proxy = delayProxyService(r, ports, wanted);
    if (running !== undefined && running !== wanted) {
      log(`${proxy.name}: delay ${running} ms -> ${wanted} ms, restarting`);
      await stop(proxy, log);
    }
    proxies.push(proxy);
  }
  await startAll(proxies, log, started);
  const flowRegions = await mm2Regions(opts.regions, ports);
  const mm2 = mm2Service(flowRegions, ports);
  const current = ourPid('mm2', MM2_DIR) === undefined ? undefined : currentMm2Config();
  if (current !== undefined && current !== mm2Properties(flowRegions, ports)) {
    log('mm2: replication flows changed, restarting');
    await stop(mm2, log);
  }
  await startAll([mm2], log, started);
}

/**
 * Ends this process's lease (taken by `up({lease: true})`) and stops what was started for lease
 * holders if no other live one remains; with `keep`, stops nothing and forgets what this process
 * started (it stays up, as `npm run infra -- up` leaves it). Returns the names it stopped.
 */
export async function release(
  opts: Partial<InfraOptions> & { keep?: boolean } = {},
): Promise<string[]> {
  const log = opts.log ?? quiet;
  const ports = parsePorts(opts.env);
  return withLock(
    'infra',
    async () => {
      if (opts.keep) {
        dropLease();
        return [];
      }
      const names = new Set(releaseLease());
      if (names.size === 0) return [];
      return stopNamed(names, ports, log);
    },
    { timeoutMs: 180_000, log },
  );
}

/** Stops the services called `names` (ours only), MirrorMaker first; returns the names stopped. */
async function stopNamed(names: ReadonlySet<string>, ports: Ports, log: Log): Promise<string[]> {
  const running = runningMm2Regions();
  const stack = [
    mm2Service(running.length > 0 ? running : REGIONS, ports),
    ...REGIONS.map((r) => delayProxyService(r, ports, 0)),
    ...services(REGIONS, ports),
  ].filter((svc) => names.has(svc.name));
  // MirrorMaker first (it talks to every cluster), then the proxies, then the rest.
  for (const svc of stack.filter((x) => x.name === 'mm2')) await stop(svc, log);
  await Promise.all(stack.filter((x) => x.name !== 'mm2').map((svc) => stop(svc, log)));
  return stack.map((svc) => svc.name);
}

/** Starts (in parallel) every service of `all` that is not up, after installing what it needs. */
async function startAll(all: readonly Service[], log: Log, started: string[]): Promise<void> {
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
      started.push(svc.name);
      await startAndWait(svc, log);
      log(`${svc.name}: up ${svc.endpoint}`);
    }),
  );
  const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) {
    throw new AggregateError(errors, errors.map((e) => (e as Error).message).join('\n'));
  }
}

/** Regions the running MirrorMaker replicates between, from its config file. */
function runningMm2Regions(): Region[] {
  if (ourPid('mm2', MM2_DIR) === undefined) return [];
  const line = /^clusters=(.*)$/m.exec(currentMm2Config() ?? '')?.[1] ?? '';
  return line.split(',').filter(isRegion);
}

/**
 * The requested regions plus those the running MirrorMaker already serves whose broker is still
 * up: `up --regions eu,us` must not shrink a running eu,us,ap replication to two regions.
 */
async function mm2Regions(requested: readonly Region[], ports: Ports): Promise<Region[]> {
  const keep: Region[] = [];
  for (const r of runningMm2Regions()) {
    if (!requested.includes(r) && (await kafkaReady(ports.kafka[r]))) keep.push(r);
  }
  return REGIONS.filter((r) => requested.includes(r) || keep.includes(r));
}

/** Stops the services we started for `regions` (all regions by default); leaves external ones. */
export async function down(opts: Partial<InfraOptions> = {}): Promise<void> {
  const log = opts.log ?? quiet;
  const regions = opts.regions ?? REGIONS;
  const ports = parsePorts(opts.env);
  const all = services(regions, ports);
  await withLock(
    'infra',
    async () => {
      // MirrorMaker first (it talks to every cluster), then the proxies, then the rest.
      const mm2Regions = runningMm2Regions();
      if (mm2Regions.some((r) => regions.includes(r))) {
        await stop(mm2Service(mm2Regions, ports), log);
      }
      await Promise.all(regions.map((r) => stop(delayProxyService(r, ports, 0), log)));
      await Promise.all(all.map((svc) => stop(svc, log)));
    },
    { timeoutMs: 180_000, log },
  );
}

/** Other live processes holding a lease on the stack (see `up({lease: true})`). */
export function otherUsers(): number {
  return otherLiveLeases();
}

/** State and endpoint of each service for `regions` (all regions by default). */
export async function status(opts: Partial<InfraOptions> = {}): Promise<ServiceStatus[]> {
  const regions = opts.regions ?? REGIONS;
  const ports = parsePorts(opts.env);
  const running = runningMm2Regions();
  const all = [
    ...services(regions, ports),
    ...regions.map((r) => delayProxyService(r, ports, runningDelayMs(r) ?? 0)),
    mm2Service(running.length > 0 ? running : regions, ports),
  ];
  return Promise.all(
    all.map(async (svc) => {
      const pid = ourPid(svc.name, svc.marker);
      const st = { name: svc.name, state: await stateOf(svc), endpoint: svc.endpoint };
      return pid === undefined ? st : { ...st, pid };
    }),
  );
}
