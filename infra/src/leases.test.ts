import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dropLease, releaseLease, takeLease } from './leases.js';

/** The pid of a process that has exited: a lease holder that died without cleaning up. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('stack leases', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'leases-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('hands back what the only holder started, to be stopped', () => {
    takeLease(['kafka-eu', 'redis-us'], { dir });
    expect(releaseLease({ dir }).sort()).toEqual(['kafka-eu', 'redis-us']);
    expect(releaseLease({ dir })).toEqual([]);
  });

  it('stops nothing while another live process holds a lease, and passes the duty on to it', () => {
    const other = process.ppid; // alive for as long as this test runs
    takeLease([], { dir, pid: other });
    takeLease(['kafka-eu'], { dir });
    expect(releaseLease({ dir })).toEqual([]);
    // The other holder, ending last, stops what the first one started.
    expect(releaseLease({ dir, pid: other })).toEqual(['kafka-eu']);
  });

  it('takes over what a holder that died had started', () => {
    takeLease(['mm2'], { dir, pid: deadPid() });
    takeLease(['clickhouse'], { dir });
    expect(releaseLease({ dir }).sort()).toEqual(['clickhouse', 'mm2']);
  });

  it('forgets what it started when asked to keep it running', () => {
    takeLease(['kafka-eu'], { dir });
    dropLease({ dir });
    expect(releaseLease({ dir })).toEqual([]);
  });
});
