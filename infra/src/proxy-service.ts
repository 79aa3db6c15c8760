import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaReady } from './kafka-probe.js';
import type { Region } from '@streambid/contracts';
import { proxyControlPort, proxyPort, replicationPort, type Ports } from './ports.js';
import { DATA_DIR, REPO_ROOT, ensureDir, ourPid, spawnDetached } from './proc.js';
import type { Service } from './service.js';

const MAIN = join(REPO_ROOT, 'infra', 'src', 'delay-proxy-main.ts');

const serviceName = (region: Region) => `delay-proxy-${region}`;
const dirOf = (region: Region) => join(DATA_DIR, serviceName(region));

/**
 * The delaying TCP proxy in front of `region`'s replication listener (see delay-proxy.ts).
 * MirrorMaker 2 reaches every cluster only through these, so all replicated bytes cross the delay.
 */
export function delayProxyService(region: Region, ports: Ports, delayMs: number): Service {
  const listen = proxyPort(ports, region);
  const target = replicationPort(ports, region);
  const dir = dirOf(region);
  const logFile = join(dir, 'proxy.log');
  return {
    name: serviceName(region),
    endpoint: `127.0.0.1:${listen} -> 127.0.0.1:${target} (+${delayMs} ms each way)`,
    ports: [listen, proxyControlPort(ports, region)],
    logFile,
    marker: dir,
    startTimeoutMs: 20_000,
    // Through the proxy to the broker's replication listener: proves the whole path.
    healthy: () => kafkaReady(listen),
    install: () => Promise.resolve(),
    start() {
      ensureDir(dir);
      return Promise.resolve(
        spawnDetached({
          name: serviceName(region),
          command: process.execPath,
          args: [
            '--import',
            'tsx',
            MAIN,
            '--listen',
            String(listen),
            '--target',
            String(target),
            `--delay-ms=${delayMs}`,
            '--control',
            String(proxyControlPort(ports, region)),
          ],
          // Inside the repository, so `--import tsx` resolves from its node_modules.
          cwd: dir,
          logFile,
        }),
      );
    },
  };
}

/** The delay the running proxy of `region` was started with, if ours runs. */
export function runningDelayMs(region: Region): number | undefined {
  const pid = ourPid(serviceName(region), dirOf(region));
  if (pid === undefined) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const m = /--delay-ms=(\d+)/.exec(cmdline);
    return m?.[1] === undefined ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}
