import {
  ServiceStartError,
  isAlive,
  ourPid,
  portOpen,
  stopPid,
  tail,
  waitFor,
  type Log,
} from './proc.js';

/** One local service the CLI manages (a Kafka broker, a Redis, ClickHouse). */
export interface Service {
  /** Unique name, e.g. `kafka-eu`; also names the pid file. */
  readonly name: string;
  /** What clients connect to. */
  readonly endpoint: string;
  /** Every port the service listens on; the first one is the client port. */
  readonly ports: readonly number[];
  /** The log to point at when it fails. */
  readonly logFile: string;
  /** A string unique to our instance's command line (its data dir), to recognise its pid. */
  readonly marker: string;
  readonly startTimeoutMs: number;
  /** Real protocol-level health check; never throws. */
  healthy(): Promise<boolean>;
  /** Installs whatever is missing. Must be safe to call repeatedly. */
  install(log: Log): Promise<void>;
  /** Prepares config and data, spawns the detached process, returns its pid. */
  start(log: Log): Promise<number>;
}

export type ServiceState = 'up' | 'up (external)' | 'starting' | 'down';

export async function stateOf(svc: Service): Promise<ServiceState> {
  const pid = ourPid(svc.name, svc.marker);
  if (await svc.healthy()) return pid === undefined ? 'up (external)' : 'up';
  return pid === undefined ? 'down' : 'starting';
}

/** Fails early when a port we need is held by something that is not our healthy service. */
export async function assertPortsFree(svc: Service): Promise<void> {
  for (const port of svc.ports) {
    if (await portOpen(port)) {
      throw new ServiceStartError(
        svc.name,
        svc.logFile,
        `port ${port} is already in use by a process that is not a healthy ${svc.name}`,
      );
    }
  }
}

/** Starts the service (unless our process already runs) and waits until it is healthy. */
export async function startAndWait(svc: Service, log: Log): Promise<void> {
  let pid = ourPid(svc.name, svc.marker);
  if (pid === undefined) {
    await assertPortsFree(svc);
    pid = await svc.start(log);
    log(`${svc.name}: started pid ${pid}, log ${svc.logFile}`);
  } else {
    log(`${svc.name}: pid ${pid} already running, waiting for it to become healthy`);
  }
  const running = pid;
  let ok: boolean;
  try {
    ok = await waitFor(() => svc.healthy(), {
      timeoutMs: svc.startTimeoutMs,
      intervalMs: 300,
      onProgress: (ms) =>
        log(
          `${svc.name}: waiting for health (${Math.round(ms / 1000)}s / ${svc.startTimeoutMs / 1000}s)`,
        ),
      abortIf: () => (isAlive(running) ? undefined : `process ${running} exited`),
    });
  } catch (err) {
    throw failure(svc, (err as Error).message);
  }
  if (!ok) throw failure(svc, `not healthy after ${svc.startTimeoutMs / 1000}s`);
}

function failure(svc: Service, reason: string): ServiceStartError {
  const last = tail(svc.logFile);
  return new ServiceStartError(
    svc.name,
    svc.logFile,
    last ? `${reason}; last log lines:\n${last}` : reason,
  );
}

/** Stops the service only if we started it. */
export async function stop(svc: Service, log: Log): Promise<void> {
  const pid = ourPid(svc.name, svc.marker);
  if (pid === undefined) {
    const external = await svc.healthy();
    log(`${svc.name}: ${external ? 'external, left running' : 'not running'}`);
    return;
  }
  log(`${svc.name}: stopping pid ${pid} ...`);
  const how = await stopPid(svc.name, pid);
  log(`${svc.name}: ${how === 'terminated' ? 'stopped' : 'killed after 20s grace'}`);
}
