import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR, isAlive } from './proc.js';

/**
 * Who is using the local stack. A command that brings services up (tests, the demo, the load
 * test) holds a lease for as long as it runs, with the names of the services it started itself.
 * When it ends, the services are stopped only if no other live command still holds a lease;
 * otherwise the duty to stop them passes to a command that does. So two test runs at once never
 * pull the stack from under each other, and the last one out stops what was started for them.
 */
export const LEASE_DIR = join(DATA_DIR, 'leases');

interface Lease {
  pid: number;
  /** Services started on behalf of lease holders, to stop when the last one is gone. */
  started: string[];
}

function leasePath(dir: string, pid: number): string {
  return join(dir, `${String(pid)}.json`);
}

function readLease(dir: string, file: string): Lease | undefined {
  try {
    const v = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Partial<Lease>;
    if (typeof v.pid !== 'number' || !Array.isArray(v.started)) return undefined;
    return { pid: v.pid, started: v.started.filter((s): s is string => typeof s === 'string') };
  } catch {
    return undefined;
  }
}

function leases(dir: string): Lease[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => readLease(dir, f) ?? []);
}

function write(dir: string, l: Lease): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(leasePath(dir, l.pid), `${JSON.stringify(l)}\n`);
}

/** Where and for whom: the lease directory and the holder's pid. */
export interface LeaseOptions {
  /** @default .data/leases */
  dir?: string;
  /** @default process.pid */
  pid?: number;
}

/** Records that this process uses the stack and started `started` (call under the infra lock). */
export function takeLease(started: readonly string[], o: LeaseOptions = {}): void {
  const dir = o.dir ?? LEASE_DIR;
  const pid = o.pid ?? process.pid;
  const own = leases(dir).find((l) => l.pid === pid);
  write(dir, { pid, started: [...new Set([...(own?.started ?? []), ...started])] });
}

/** Ends this process's lease without stopping anything: what it started stays up (`--keep`). */
export function dropLease(o: LeaseOptions = {}): void {
  rmSync(leasePath(o.dir ?? LEASE_DIR, o.pid ?? process.pid), { force: true });
}

/**
 * Ends this process's lease (call under the infra lock). Returns the services to stop now: what
 * this and every dead holder started, when no other live holder remains; otherwise nothing, and
 * the list moves to a live holder.
 */
export function releaseLease(o: LeaseOptions = {}): string[] {
  const dir = o.dir ?? LEASE_DIR;
  const pid = o.pid ?? process.pid;
  const all = leases(dir);
  const others = all.filter((l) => l.pid !== pid && isAlive(l.pid));
  const orphaned = all.filter((l) => l.pid === pid || !isAlive(l.pid));
  const duty = [...new Set(orphaned.flatMap((l) => l.started))];
  for (const l of orphaned) rmSync(leasePath(dir, l.pid), { force: true });
  const heir = others[0];
  if (heir === undefined) return duty;
  write(dir, { pid: heir.pid, started: [...new Set([...heir.started, ...duty])] });
  return [];
}

/** How many live processes other than this one hold a lease. */
export function otherLiveLeases(o: LeaseOptions = {}): number {
  const pid = o.pid ?? process.pid;
  return leases(o.dir ?? LEASE_DIR).filter((l) => l.pid !== pid && isAlive(l.pid)).length;
}
