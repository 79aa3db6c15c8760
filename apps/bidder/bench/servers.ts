/**
 * The two servers `bench:bidder` compares, each a child process started the way `npm run` would
 * start it: the bidder with its workers, and the uWS hello world (`hello.ts`).
 */
import { BIDDER_NODE_FLAGS } from '../src/runtime/node-flags.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, waitFor } from '@streambid/adapters';

const ROOT = new URL('../../../', import.meta.url);
const NODE_ARGS = ['--conditions=@streambid/source', '--import', 'tsx'];

/** A server under test. */
export interface Server {
  name: string;
  /** Origin, `http://127.0.0.1:<port>`. */
  url: string;
  /** The Node process (its CPU is read from `/proc`). */
  pid: number;
  stop(): Promise<void>;
}

function spawnNode(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...NODE_ARGS, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await gone;
}

async function started(
  name: string,
  p: ChildProcess,
  url: string,
  probe: string,
  timeoutMs: number,
): Promise<Server> {
  try {
    await waitFor(
      async () => {
        if (p.exitCode !== null) throw new Error(`${name} exited with ${String(p.exitCode)}`);
        return (await fetch(`${url}${probe}`).catch(() => undefined))?.status === 200;
      },
      { timeoutMs, intervalMs: 200, what: `${name} up` },
    );
  } catch (err) {
    await stop(p);
    throw err;
  }
  if (p.pid === undefined) throw new Error(`${name} has no pid`);
  return { name, url, pid: p.pid, stop: () => stop(p) };
}

/** Options of {@link startBidder}. */
export interface BidderOptions {
  /** Topic namespace the bench published its campaigns under. */
  namespace: string;
  /** Key prefix of the seeded profiles. */
  profilePrefix: string;
  workers: number;
  /** Extra Node flags, e.g. `--cpu-prof`. */
  nodeArgs: readonly string[];
}

/** The bidder child process with `BIDDER_NODE_FLAGS`, once `/healthz` answers 200. */
export async function startBidder(o: BidderOptions): Promise<Server> {
  const port = await freePort();
  const p = spawnNode([...o.nodeArgs, ...BIDDER_NODE_FLAGS, 'apps/bidder/src/main.ts'], {
    BIDDER_PORT: String(port),
    BIDDER_DEV_MODE: 'true',
    // Requests without regs.gdpr count as outside GDPR here (the default says GDPR).
    PRIVACY_GDPR_DEFAULT: 'false',
    REGION: 'eu',
    TOPIC_NAMESPACE: o.namespace,
    PROFILE_KEY_PREFIX: o.profilePrefix,
    BIDDER_WORKERS: String(o.workers),
    LOG_LEVEL: 'warn',
  });
  return started('bidder', p, `http://127.0.0.1:${String(port)}`, '/healthz', 90_000);
}

/** The uWS hello world, once it answers. */
export async function startHello(): Promise<Server> {
  const port = await freePort();
  const p = spawnNode(['apps/bidder/bench/hello.ts', String(port)], {});
  return started('hello', p, `http://127.0.0.1:${String(port)}`, '/', 30_000);
}
