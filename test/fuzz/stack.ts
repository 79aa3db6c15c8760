/**
 * The services `fuzz:http` runs against: a bidder (`npm run bidder`, two workers) and an inventory
 * service (`npm run inventory`) started as child processes under a fresh topic namespace, their
 * logs kept in files and scanned as they arrive, and what the host did to them measured (RSS, time
 * their threads waited for a CPU).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createKafka,
  deleteNamespace,
  ensureTopics,
  freePort,
  silentLogger,
  waitFor,
} from '@streambid/adapters';
import { catalogue, type TopicDef } from '@streambid/contracts';
import { BIDDER_NODE_FLAGS } from '@streambid/bidder';

const ROOT = new URL('../../', import.meta.url).pathname;
/** SIGUSR2 runs a full GC in every thread of a service (see `gc-hook.mjs`). */
const GC_HOOK = ['--expose-gc', '--import', new URL('./gc-hook.mjs', import.meta.url).href];

/** What a service's log said that the fuzzer counts. */
export interface LogCounts {
  /** `invalid event not buffered`: an event that failed its schema and was dropped. */
  invalidEvents: number;
  /** Error-level lines by message (first 200 characters). */
  errors: Map<string, number>;
  /** A worker crashed, stalled or was replaced. */
  workerRestarts: number;
}

/** One service process of the run. */
export interface Service {
  name: string;
  url: string;
  child: ChildProcess;
  logFile: string;
  log: LogCounts;
  /** Exit code or signal once it ended; undefined while it runs. */
  exited: string | undefined;
}

/** Counts the lines of a pino JSON log the fuzzer cares about. */
export function scanLine(line: string, c: LogCounts): void {
  if (!line.startsWith('{')) {
    // Not pino: a crash dump or console output from a dying process.
    if (/Error|FATAL|Aborted|Segmentation/.test(line)) bump(c.errors, line.slice(0, 200));
    return;
  }
  let rec: { level?: number; msg?: string };
  try {
    rec = JSON.parse(line) as { level?: number; msg?: string };
  } catch {
    return;
  }
  const msg = rec.msg ?? '';
  if (msg.startsWith('invalid event')) c.invalidEvents++;
  if (/worker crashed|worker event loop stalled|replacing worker|worker thread failed/.test(msg))
    c.workerRestarts++;
  if ((rec.level ?? 0) >= 50) bump(c.errors, msg.slice(0, 200));
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function startService(
  name: string,
  args: string[],
  env: Record<string, string>,
  port: number,
  logDir: string,
): Service {
  const logFile = join(logDir, `${name}.log`);
  const out = createWriteStream(logFile);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const s: Service = {
    name,
    url: `http://127.0.0.1:${String(port)}`,
    child,
    logFile,
    log: { invalidEvents: 0, errors: new Map(), workerRestarts: 0 },
    exited: undefined,
  };
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      out.write(chunk);
      const text = rest + chunk.toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const l of lines) scanLine(l, s.log);
    });
  }
  child.once('exit', (code, signal) => {
    s.exited = signal ?? String(code);
    out.end();
  });
  return s;
}

/** Where the stack's services run and what they share. */
export interface Stack {
  ns: string;
  bidder: Service;
  inventory: Service;
  token: string;
  logDir: string;
}

export interface StackOptions {
  kafka: string;
  /** Every Kafka cluster: the namespace's topics and their MirrorMaker copies go on each. */
  clusters: readonly string[];
  redis: string;
  /**
   * Topic namespace; a fresh `fuzz-<hex>-` when absent. Tests pass one from `uniq()`, so their
   * run's cleanup deletes its topics if the fuzzer cannot.
   */
  namespace?: string;
  /** Extra bidder environment (e.g. a default tmax). */
  bidderEnv?: Record<string, string>;
}

/** Starts the inventory service and a two-worker bidder under a fresh namespace; waits for both. */
export async function startStack(o: StackOptions): Promise<Stack> {
  const ns = o.namespace ?? `fuzz-${randomBytes(5).toString('hex')}-`;
  const logDir = join(tmpdir(), `streambid-${ns.replace(/[^a-z0-9-]/gi, '').replace(/-$/, '')}`);
  mkdirSync(logDir, { recursive: true });
  const token = `fuzz-${randomBytes(8).toString('hex')}`;
  const [invPort, bidPort] = [await freePort(), await freePort()];
  // Every topic first, with its leaders: a consumer that lists a topic another service has just
  // created can read it before its leader is elected, and the inventory service then fails to
  // start ("not the leader for that topic-partition" is fatal in its start-up).
  await ensureTopics(
    createKafka({ clientId: `fuzz-${ns}setup`, brokers: [o.kafka], logger: silentLogger() }),
    Object.values(catalogue(ns)) as TopicDef[],
  );
  const common = { KAFKA_BROKERS: o.kafka, TOPIC_NAMESPACE: ns, REGION: 'eu', LOG_LEVEL: 'warn' };
  const inventory = startService(
    'inventory',
    [...GC_HOOK, '--conditions=@streambid/source', '--import', 'tsx', 'apps/inventory/src/main.ts'],
    {
      ...common,
      INVENTORY_TOKEN: token,
      INVENTORY_PORT: String(invPort),
      INVENTORY_HOST: '127.0.0.1',
      INVENTORY_REGIONS: 'eu',
    },
    invPort,
    logDir,
  );
  const bidder = startService(
    'bidder',
    [
      ...BIDDER_NODE_FLAGS,
      ...GC_HOOK,
      '--conditions=@streambid/source',
      '--import',
      'tsx',
      'apps/bidder/src/main.ts',
    ],
    {
      ...common,
      BIDDER_PORT: String(bidPort),

      BIDDER_DEV_MODE: 'true',
      // Requests without regs.gdpr count as outside GDPR here (the default says GDPR).
      PRIVACY_GDPR_DEFAULT: 'false',
      BIDDER_HOST: '127.0.0.1',
      BIDDER_WORKERS: '2',
      REDIS_URL: o.redis,
      PROFILE_KEY_PREFIX: `${ns}p:`,
      ...o.bidderEnv,
    },
    bidPort,
    logDir,
  );
  const stack = { ns, bidder, inventory, token, logDir };
  try {
    for (const s of [inventory, bidder]) await waitHealthy(s);
  } catch (err) {
    await stopStack(stack);
    await deleteTopics(o.clusters, ns);
    throw err;
  }
  return stack;
}

async function waitHealthy(s: Service): Promise<void> {
  await waitFor(
    async () => {
      if (s.exited !== undefined)
        throw new Error(`${s.name} exited (${s.exited}) while starting; see ${s.logFile}`);
      const r = await fetch(`${s.url}/healthz`, { signal: AbortSignal.timeout(1000) }).catch(
        () => undefined,
      );
      return r?.status === 200;
    },
    { timeoutMs: 90_000, intervalMs: 200, what: `${s.name} healthy (see ${s.logFile})` },
  );
}

/** Deletes namespace `ns`'s topics and their copies on every cluster; never throws. */
export async function deleteTopics(clusters: readonly string[], ns: string): Promise<string> {
  const kafkas = clusters.map((b) =>
    createKafka({ clientId: `fuzz-cleanup-${ns}`, brokers: [b], logger: silentLogger() }),
  );
  return deleteNamespace(kafkas, ns).then(
    (n) => `deleted ${String(n)} topics`,
    (err: unknown) => `topic cleanup failed: ${String(err)}`,
  );
}

/** SIGTERM (SIGKILL after `graceMs`); resolves with how it ended. */
export async function stopService(s: Service, graceMs = 20_000): Promise<string> {
  if (s.exited !== undefined) return s.exited;
  const gone = new Promise<void>((r) => s.child.once('exit', () => r()));
  s.child.kill('SIGTERM');
  const timer = setTimeout(() => s.child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
  return s.exited ?? 'unknown';
}

export async function stopStack(s: Stack): Promise<{ bidder: string; inventory: string }> {
  const bidder = await stopService(s.bidder);
  const inventory = await stopService(s.inventory);
  return { bidder, inventory };
}

/** Asks every thread of a service started here to collect its garbage (`gc-hook.mjs`). */
export function collectGarbage(s: Service): void {
  if (s.exited === undefined) s.child.kill('SIGUSR2');
}

/** Resident set of a process (kB from `/proc`), bytes; undefined once it is gone. */
export function rssOf(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${String(pid)}/status`, 'latin1'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How long the threads of some processes waited for a CPU (`/proc/<pid>/task/<tid>/schedstat`,
 * second field, ns), sampled every `everyMs`. On a loaded 2-core host a runnable thread waits tens
 * of milliseconds; an answer that late is the host's doing. For a window, each process counts its
 * most-delayed thread (the one serving the request is among them).
 */
export class RunQueueDelay {
  private readonly samples: { t: number; delays: Map<string, number> }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: () => readonly number[],
    everyMs = 50,
    private readonly keepMs = 20_000,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  private read(): Map<string, number> {
    const out = new Map<string, number>();
    for (const pid of this.pids()) {
      let tids: string[];
      try {
        tids = readdirSync(`/proc/${String(pid)}/task`);
      } catch {
        continue;
      }
      for (const tid of tids) {
        try {
          const f = readFileSync(`/proc/${String(pid)}/task/${tid}/schedstat`, 'latin1');
          out.set(`${String(pid)}/${tid}`, Number(f.split(' ')[1]) / 1e6);
        } catch {
          // The thread ended between the listing and the read.
        }
      }
    }
    return out;
  }

  private sample(): void {
    const t = performance.now();
    this.samples.push({ t, delays: this.read() });
    while (this.samples.length > 2 && (this.samples[0]?.t ?? t) < t - this.keepMs)
      this.samples.shift();
  }

  /** Sum over the processes of their most-delayed thread's wait since `t0` (ms), read now. */
  since(t0: number): number {
    let before = this.samples[0];
    for (const s of this.samples) if (s.t <= t0) before = s;
    if (!before) return 0;
    const now = this.read();
    const worst = new Map<string, number>();
    for (const [k, v] of now) {
      const d = v - (before.delays.get(k) ?? v);
      const pid = k.slice(0, k.indexOf('/'));
      worst.set(pid, Math.max(worst.get(pid) ?? 0, d));
    }
    let sum = 0;
    for (const v of worst.values()) sum += v;
    return sum;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
