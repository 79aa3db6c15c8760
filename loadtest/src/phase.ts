/**
 * One load phase: every region's prepared traffic sent at once with the CPU sampler on, and the
 * generator's per-second p99 lined up with the CPU of the same seconds.
 */
import { performance } from 'node:perf_hooks';
import { REGIONS } from '@streambid/contracts';
import { parsePorts } from '@streambid/infra';
import { CpuSampler, type CpuRecording } from './cpu-sampler.js';
import type { RegionRun, Stack } from './run.js';
import {
  formatStall,
  formatStealLine,
  p99BySecondOf,
  phaseView,
  type PhaseView,
} from './seconds.js';

/** Sends every region's prepared traffic at once. */
export const drive = (starts: readonly (() => Promise<RegionRun>)[]): Promise<RegionRun[]> =>
  Promise.all(starts.map((start) => start()));

/** A CPU sampler of the stack's roles (apps by pid, infra by pid file and command line). */
export function stackSampler(stack: Stack): CpuSampler {
  const ports = parsePorts();
  return new CpuSampler({
    apps: () =>
      stack.apps.flatMap((a) =>
        a.child.pid === undefined ? [] : [{ pid: a.child.pid, name: a.spec.name }],
      ),
    redisRegionByPort: new Map(REGIONS.map((r) => [ports.redis[r], r])),
  });
}

/**
 * Drives prepared traffic with the sampler on, and lines the generator's per-second p99 up with
 * the CPU of the same seconds.
 */
export async function sampledDrive(
  sampler: CpuSampler,
  starts: readonly (() => Promise<RegionRun>)[],
  durationS: number,
): Promise<{ runs: RegionRun[]; view: PhaseView; rec: CpuRecording; startMs: number }> {
  sampler.start();
  const startMs = performance.now();
  let runs: RegionRun[];
  try {
    runs = await drive(starts);
  } catch (err) {
    sampler.stop();
    throw err;
  }
  const rec = sampler.stop();
  const view = phaseView({
    rec,
    p99BySecond: p99BySecondOf(
      runs.map((r) => ({ region: r.region, timeline: r.result.timeline ?? [] })),
    ),
    startMs,
    seconds: Math.ceil(durationS),
  });
  return { runs, view, rec, startMs };
}

/** The per-second lines of a phase for humans: steal by second, CPU by role, the stalls. */
export function sayPhaseView(view: PhaseView, say: (l: string) => void, indent = '  '): void {
  say(`${indent}${formatStealLine(view.seconds)}`);
  const cpu = Object.entries(view.cpu?.cpu ?? {})
    .map(([role, v]) => `${role} ${String(v)}`)
    .join(', ');
  say(
    `${indent}cpu % of one core: ${cpu || '–'}; host busy ${String(view.cpu?.busy_pct ?? '–')} %, steal ${String(view.cpu?.steal_pct ?? '–')} %`,
  );
  if (view.stalls.length === 0)
    say(`${indent}stalls (every region's p99 > 5× its median second): none`);
  else {
    say(
      `${indent}stalls (every region's p99 > 5× its median second): ${String(view.stalls.length)}`,
    );
    for (const st of view.stalls) say(`${indent}  ${formatStall(st)}`);
  }
}
