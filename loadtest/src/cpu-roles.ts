/**
 * Which process of the machine plays which part in a load test, from `/proc` data: the apps the
 * stack started (by pid), the infra services (by their pid files, else by command line), the
 * generator (this process). Pure: the caller reads `/proc` and the pid files.
 */
import { processTree, type ProcStat } from '@streambid/loadgen';

/** The role of the load generator itself (this process and its helpers, e.g. esbuild). */
export const GENERATOR_ROLE = 'generator';
/** Services of another checkout's stack (its brokers, MirrorMaker 2, proxies, Redis). */
export const OTHER_STACK_ROLE = 'other-stack';
/** Host CPU not accounted to any role: other work on the machine (and short-lived processes). */
export const OTHER_ROLE = 'other';

/** What {@link assignRoles} needs to know about the machine. */
export interface RoleInputs {
  /** Every process now (`listProcStats()`). */
  stats: readonly ProcStat[];
  /** `/proc/<pid>/cmdline` with NULs as spaces; undefined when it cannot be read. */
  cmdline: (pid: number) => string | undefined;
  /** The apps the stack started, named by role (`bidder-eu`, `inventory-us`, `clickfraud`). */
  apps: readonly { pid: number; name: string }[];
  /** Infra pid files by service name (`kafka-eu`, `mm2`, `clickhouse`, `redis-us`, ...). */
  pidFiles: Readonly<Record<string, number>>;
  /** The generator's pid (`process.pid`). */
  self: number;
  /** Redis client port → region, to name a Redis found by its command line. */
  redisRegionByPort: ReadonlyMap<number, string>;
  /** The repository root: services whose paths lie elsewhere belong to another checkout. */
  root: string;
}

/** The role of an infra service by its pid-file name: the delay proxies count as one. */
export function roleOfService(name: string): string {
  return name.startsWith('delay-proxy') ? 'delay-proxy' : name;
}

/** `kafka-eu` → `kafka`, `delay-proxy-us` → `delay`. */
const kindOf = (name: string): string => name.split('-')[0] ?? name;

/** What the process of each kind of infra service looks like (by pid-file name's first part). */
const SERVICE_LOOKS: Record<string, (comm: string, cmdline: string) => boolean> = {
  kafka: (_comm, cmd) => /\bkafka\.Kafka\b/.test(cmd),
  mm2: (_comm, cmd) => cmd.includes('org.apache.kafka.connect.mirror.MirrorMaker'),
  clickhouse: (comm, cmd) => comm.startsWith('clickhouse') || cmd.includes('clickhouse'),
  redis: (comm, cmd) => comm === 'redis-server' || cmd.startsWith('redis-server'),
  delay: (_comm, cmd) => cmd.includes('delay-proxy-main'),
};

/**
 * The role of a process we did not start, from its command line, or undefined. Kafka brokers are
 * named by the region of their data directory (`.data/kafka-eu`), Redis by its port (its process
 * title is `redis-server 127.0.0.1:6379`). Brokers, MirrorMaker 2 and proxies of another
 * checkout (their paths are not under `root`), and a Redis on a port this run does not use, are
 * {@link OTHER_STACK_ROLE}.
 */
export function roleFromCommand(
  comm: string,
  cmdline: string,
  redisRegionByPort: ReadonlyMap<number, string>,
  root: string,
): string | undefined {
  const ours = cmdline.includes(`${root}/`);
  if (cmdline.includes('org.apache.kafka.connect.mirror.MirrorMaker'))
    return ours ? 'mm2' : OTHER_STACK_ROLE;
  if (/\bkafka\.Kafka\b/.test(cmdline)) {
    if (!ours) return OTHER_STACK_ROLE;
    const region = /kafka-([a-z]{2})\b/.exec(cmdline)?.[1];
    return region === undefined ? 'kafka' : `kafka-${region}`;
  }
  if (comm.startsWith('clickhouse') || /\bclickhouse(-server| server)\b/.test(cmdline))
    // A system ClickHouse may be the one this run uses; another checkout's is not.
    return ours || !cmdline.includes('.data/clickhouse') ? 'clickhouse' : OTHER_STACK_ROLE;
  if (comm === 'redis-server' || cmdline.startsWith('redis-server')) {
    const region = redisRegionByPort.get(Number(/:(\d+)/.exec(cmdline)?.[1]));
    return region === undefined ? OTHER_STACK_ROLE : `redis-${region}`;
  }
  if (cmdline.includes('delay-proxy-main')) return ours ? 'delay-proxy' : OTHER_STACK_ROLE;
  return undefined;
}

/**
 * Assigns a role to every process that has one: each app and infra process with its descendants
 * (a ClickHouse watchdog's server, a tsx esbuild helper), then the generator and its other
 * descendants, then whatever the command lines name. The first assignment wins, so an app, a
 * child of this process, is never counted as the generator.
 */
export function assignRoles(i: RoleInputs): Map<number, string> {
  const roles = new Map<number, string>();
  const claim = (root: number, role: string): void => {
    for (const s of processTree(root, i.stats)) if (!roles.has(s.pid)) roles.set(s.pid, role);
  };
  for (const a of i.apps) claim(a.pid, a.name);
  const byPid = new Map(i.stats.map((s) => [s.pid, s]));
  for (const [name, pid] of Object.entries(i.pidFiles)) {
    // A stale pid file may name a recycled pid: trust it only when the process looks the part.
    const s = byPid.get(pid);
    const cmd = s ? i.cmdline(pid) : undefined;
    const looks = SERVICE_LOOKS[kindOf(name)] ?? (() => true);
    if (s && cmd !== undefined && looks(s.comm, cmd)) claim(pid, roleOfService(name));
  }
  claim(i.self, GENERATOR_ROLE);
  for (const s of i.stats) {
    if (roles.has(s.pid)) continue;
    const cmd = i.cmdline(s.pid);
    if (cmd === undefined) continue;
    const role = roleFromCommand(s.comm, cmd, i.redisRegionByPort, i.root);
    if (role !== undefined) claim(s.pid, role);
  }
  return roles;
}
