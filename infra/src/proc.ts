import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** Repository root (infra/src/../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Everything the local stack writes: service data, logs, pid files. Git-ignored. */
export const DATA_DIR = join(REPO_ROOT, '.data');
const PID_DIR = join(DATA_DIR, 'pids');

export type Log = (line: string) => void;

/** A service failed to become healthy; points at the log to read. */
export class ServiceStartError extends Error {
  readonly code = 'INFRA_SERVICE_START';
  constructor(
    readonly service: string,
    readonly logFile: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${service}: ${reason} (see ${logFile})`, options);
    this.name = 'ServiceStartError';
  }
}

export function ensureDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}

export interface DetachedSpec {
  /** Service name, also the pid file name (`.data/pids/<name>.pid`). */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** stdout and stderr are appended here. */
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts a process that outlives this one and records its pid. */
export function spawnDetached(spec: DetachedSpec): number {
  ensureDir(dirname(spec.logFile));
  const fd = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    if (child.pid === undefined) throw new Error(`could not spawn ${spec.command}`);
    child.unref();
    ensureDir(PID_DIR);
    writeFileSync(pidFile(spec.name), `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

function pidFile(name: string): string {
  return join(PID_DIR, `${name}.pid`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie still answers signal 0 but is finished.
  try {
    return !/\)\s+Z\s/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/**
 * Pid of the process we started for `name`, if it still runs. `marker` must appear in its
 * command line, so a recycled pid that now belongs to something else is never mistaken for ours.
 */
export function ourPid(name: string, marker: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile(name), 'utf8'), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  return ownsMarker(pid, marker) ? pid : undefined;
}

// Redis rewrites its command line (process title), so the working directory counts too.
function ownsMarker(pid: number, marker: string): boolean {
  try {
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    if (cwd === marker || cwd.startsWith(`${marker}/`)) return true;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(marker);
  } catch {
    return false;
  }
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Removes the pid file. Returns how it ended. */
export async function stopPid(
  name: string,
  pid: number,
  graceMs = 20_000,
): Promise<'terminated' | 'killed'> {
  signal(pid, 'SIGTERM');
  const exited = await waitFor(() => !isAlive(pid), { timeoutMs: graceMs, intervalMs: 200 });
  if (!exited) {
    signal(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), { timeoutMs: 5_000, intervalMs: 100 });
  }
  rmSync(pidFile(name), { force: true });
  return exited ? 'terminated' : 'killed';
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

export interface WaitOptions {
  readonly timeoutMs: number;
  /** @default 250 */
  readonly intervalMs?: number;
  /** Called about every `progressEveryMs` with the elapsed time while still waiting. */
  readonly onProgress?: (elapsedMs: number) => void;
  /** @default 5000 */
  readonly progressEveryMs?: number;
  /** Checked each round; a string aborts the wait early with that reason. */
  readonly abortIf?: () => string | undefined;
}

/** Polls `cond` until it holds (true) or the deadline passes (false). */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  opts: WaitOptions,
): Promise<boolean> {
  const start = Date.now();
  const every = opts.progressEveryMs ?? 5_000;
  let nextProgress = start + every;
  for (;;) {
    if (await cond()) return true;
    const abort = opts.abortIf?.();
    if (abort !== undefined) throw new Error(abort);
    const now = Date.now();
    if (now - start >= opts.timeoutMs) return false;
    if (opts.onProgress && now >= nextProgress) {
      opts.onProgress(now - start);
      nextProgress = now + every;
    }
    await sleep(opts.intervalMs ?? 250);
  }
}

/** Sends `request` over TCP and resolves with everything received until `done` says so. */
export function tcpExchange(
  port: number,
  request: Buffer,
  done: (received: Buffer) => boolean,
  timeoutMs = 2_000,
): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    const socket = createConnection({ host: '127.0.0.1', port });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`timeout talking to 127.0.0.1:${port}`)));
    socket.once('error', fail);
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const all = Buffer.concat(chunks);
      if (done(all)) {
        socket.destroy();
        resolvePromise(all);
      }
    });
    socket.once('end', () => fail(new Error(`127.0.0.1:${port} closed the connection`)));
  });
}

/** True when something accepts TCP connections on 127.0.0.1:`port`. */
export function portOpen(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const finish = (open: boolean) => {
      socket.destroy();
      resolvePromise(open);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** Last lines of a log file, for error messages. */
export function tail(file: string, lines = 15): string {
  if (!existsSync(file)) return '';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs a command to completion, streaming nothing; rejects with its output on failure. */
export function run(
  command: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolvePromise(output);
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}\n${output.trimEnd()}`));
    });
  });
}

/**
 * Runs `fn` while holding `.data/pids/<name>.lock`, so two `up`s (say the CLI and a test run's
 * global setup) never start the same service twice. A lock whose holder died is taken over.
 */
export async function withLock<T>(
  name: string,
  fn: () => Promise<T>,
  opts: { timeoutMs: number; log: Log },
): Promise<T> {
  ensureDir(PID_DIR);
  const lock = join(PID_DIR, `${name}.lock`);
  const tryTake = () => {
    try {
      writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    if (!Number.isInteger(holder) || !isAlive(holder)) rmSync(lock, { force: true });
    return false;
  };
  if (!tryTake()) {
    opts.log(`another infra command holds ${lock}; waiting for it`);
    const taken = await waitFor(tryTake, { timeoutMs: opts.timeoutMs, intervalMs: 500 });
    if (!taken) throw new Error(`timed out waiting for ${lock}`);
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
