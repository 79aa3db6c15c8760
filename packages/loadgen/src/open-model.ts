import { performance } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';
import { RawHttpPool } from './raw-http.js';
import { latencyFrom, rateSchedule, secondOf, type RateProfile } from './schedule.js';

/** One request to send. */
export interface RequestSpec {
  /** @default 'POST' when there is a body, else 'GET' */
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Tag for per-tag counts (e.g. region). */
  tag?: string;
}

/** Options of {@link runOpenModel}. Give `url` or `targets`. */
export interface OpenModelOptions {
  /** Origin such as `http://127.0.0.1:8080`. */
  url?: string;
  /** Several origins; requests rotate across them. */
  targets?: readonly string[];
  /** Arrival rate, requests per second (with `durationS`; or give `profile`). */
  rate?: number;
  durationS?: number;
  /**
   * A rate that changes over time (offset, stages), in place of `rate` and `durationS`: sends are
   * scheduled by integrating the rate (schedule.ts), latency still from each intended send time.
   */
  profile?: RateProfile;
  /** Builds request `i` (called at its send time). */
  makeRequest: (i: number) => RequestSpec;
  /** Keep-alive connections per target. @default 64 */
  connections?: number;
  /** Sees every response; when given, bodies are read as text (otherwise discarded). */
  onResponse?: (status: number, body: string, i: number) => void;
  /** Per-second counts and percentiles. @default false */
  timeline?: boolean;
  /** A request not answered within this counts as an error. @default 10000 */
  timeoutMs?: number;
  /** Requests outstanding beyond this are not sent and count as `skipped` (client overload). @default 100000 */
  maxInFlight?: number;
  /**
   * Called once per second of wall time while requests are being sent (not while the last ones
   * drain), with what completed in that second: for live progress lines. @default none
   */
  onSecond?: (p: SecondProgress) => void;
}

/** What one second of wall time saw (responses counted when they arrived), and the totals so far. */
export interface SecondProgress {
  /** Seconds elapsed since the start (1 for the first second). */
  elapsedS: number;
  /** Requests sent in this second. */
  sent: number;
  /** Responses received in this second. */
  completed: number;
  /** Transport errors and timeouts in this second. */
  errors: number;
  /** p99 (ms, from intended send time) of the responses received in this second; 0 when none. */
  p99Ms: number;
  /** Totals since the start. */
  total: { sent: number; completed: number; errors: number };
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

export interface TimelinePoint {
  second: number;
  sent: number;
  completed: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
}

export interface OpenModelResult {
  /** The planned mean arrival rate over the stages (the rate, for a constant one). */
  targetRate: number;
  /** Seconds from the start to the end of the last send (a profile's offset included). */
  durationS: number;
  /** Seconds of the profile's stages (its offset left out). @default durationS */
  activeS?: number;
  sent: number;
  completed: number;
  /** Transport errors and timeouts. */
  errors: number;
  /** Not sent because `maxInFlight` was reached. */
  skipped: number;
  /** HTTP status → count. */
  statusCounts: Record<string, number>;
  tagCounts: Record<string, number>;
  /** Completed responses per second of wall time. */
  throughputRps: number;
  /** Milliseconds from intended send time to response, over completed requests. */
  latencyMs: LatencySummary;
  /** How late the generator itself sent requests (ms): large values mean the client was the bottleneck. */
  sendLagMs: { p99: number; max: number };
  timeline?: TimelinePoint[];
  /** Every completed request's latency (µs from intended send time), for exact merges. */
  histogram?: hdr.Histogram;
}

/** An empty latency histogram (µs, 1 µs to 120 s, 3 significant digits). */
export const newLatencyHistogram = (): hdr.Histogram =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });

/** Percentiles (ms) of a histogram of microseconds. */
export function latencySummary(h: hdr.Histogram): LatencySummary {
  const ms = (us: number): number => Math.round(us) / 1000;
  if (h.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}

/**
 * Sends requests at a fixed arrival rate for `durationS`, without waiting for responses, over
 * keep-alive connection pools ({@link RawHttpPool}), and records latency from each request's intended send time in an HDR
 * histogram (microsecond resolution). Resolves when every sent request has finished.
 */
export async function runOpenModel(o: OpenModelOptions): Promise<OpenModelResult> {
  const origins = o.targets && o.targets.length > 0 ? [...o.targets] : o.url ? [o.url] : [];
  if (origins.length === 0) throw new Error('runOpenModel needs url or targets');
  const profile: RateProfile | undefined =
    o.profile ??
    (o.rate !== undefined && o.durationS !== undefined && o.rate > 0 && o.durationS > 0
      ? { stages: [{ durationS: o.durationS, target: o.rate }] }
      : undefined);
  if (!profile) throw new Error('rate and durationS must be positive (or give a profile)');
  const plan = rateSchedule(profile);
  const activeS = plan.durationS - (profile.offsetS ?? 0);
  if (!(plan.total > 0)) throw new Error('the rate profile schedules no request');
  const pools = origins.map(
    (u) =>
      new RawHttpPool(u, { connections: o.connections ?? 64, timeoutMs: o.timeoutMs ?? 10_000 }),
  );
  const total = plan.total;
  const maxInFlight = o.maxInFlight ?? 100_000;
  const all = newLatencyHistogram();
  const lag = newLatencyHistogram();
  const perSecond: { h: hdr.Histogram; sent: number; completed: number; errors: number }[] = [];
  const statusCounts: Record<string, number> = {};
  const tagCounts: Record<string, number> = {};
  let sent = 0;
  let completed = 0;
  let errors = 0;
  let skipped = 0;
  let inFlight = 0;
  const start = performance.now();
  let finishAll: () => void = () => undefined;
  const allDone = new Promise<void>((r) => (finishAll = r));
  let scheduled = 0;
  // The last second's figures for `onSecond`, by arrival time: one more histogram record per
  // response, and only when asked for.
  const live = o.onSecond
    ? { h: newLatencyHistogram(), sent: 0, completed: 0, errors: 0, reported: 0 }
    : null;
  const reportSecond = (now: number): void => {
    if (!live || !o.onSecond) return;
    // The slack keeps `start + n s` itself (not exactly representable) in second n.
    const elapsed = Math.floor((now - start) / 1000 + 1e-6);
    if (elapsed <= live.reported) return;
    live.reported = elapsed;
    o.onSecond({
      elapsedS: elapsed,
      sent: live.sent,
      completed: live.completed,
      errors: live.errors,
      p99Ms: latencySummary(live.h).p99,
      total: { sent, completed, errors },
    });
    live.h.reset();
    live.sent = live.completed = live.errors = 0;
  };

  const bucket = (sec: number) => {
    let b = perSecond[sec];
    if (!b) perSecond[sec] = b = { h: newLatencyHistogram(), sent: 0, completed: 0, errors: 0 };
    return b;
  };

  const settle = (): void => {
    inFlight--;
    if (scheduled === total && inFlight === 0) finishAll();
  };

  const fire = (i: number, now: number): void => {
    const offsetMs = plan.intendedMs(i);
    const intended = start + offsetMs;
    lag.recordValue(Math.max(1, Math.round((now - intended) * 1000)));
    // From the offset itself: `start + 1000` minus `start` can come out a hair under 1000.
    const sec = secondOf(0, offsetMs + 1e-6);
    if (inFlight >= maxInFlight) {
      skipped++;
      return;
    }
    const spec = o.makeRequest(i);
    if (spec.tag !== undefined) tagCounts[spec.tag] = (tagCounts[spec.tag] ?? 0) + 1;
    const pool = pools[i % pools.length] as RawHttpPool;
    inFlight++;
    sent++;
    if (live) live.sent++;
    if (o.timeline) bucket(sec).sent++;
    pool.request(
      spec.method ?? (spec.body === undefined ? 'GET' : 'POST'),
      spec.path,
      spec.headers,
      spec.body,
      o.onResponse !== undefined,
      (err, res) => {
        if (err || !res) {
          errors++;
          if (live) live.errors++;
          if (o.timeline) bucket(sec).errors++;
        } else {
          const us = Math.max(1, Math.round(latencyFrom(intended, performance.now()) * 1000));
          all.recordValue(us);
          completed++;
          if (live) {
            live.completed++;
            live.h.recordValue(us);
          }
          const k = String(res.status);
          statusCounts[k] = (statusCounts[k] ?? 0) + 1;
          if (o.timeline) {
            const b = bucket(sec);
            b.completed++;
            b.h.recordValue(us);
          }
          o.onResponse?.(res.status, res.body, i);
        }
        settle();
      },
    );
  };

  /**
   * Reports every second that has ended by `elapsedMs`, each after sending what was intended
   * before its end, so a late timer neither moves a second's sends into the next one nor skips a
   * second's report.
   */
  const closeSeconds = (elapsedMs: number, now: number): void => {
    if (!live) return;
    for (let end = (live.reported + 1) * 1000; end <= elapsedMs + 1e-6; end += 1000) {
      // 1 µs before the end: a send intended on the boundary belongs to the next second.
      const dueBefore = plan.dueCount(end - 1e-3);
      while (scheduled < dueBefore) fire(scheduled++, now);
      reportSecond(start + end);
    }
  };
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      closeSeconds(now - start, now);
      const due = plan.dueCount(now - start);
      while (scheduled < due) fire(scheduled++, now);
      if (scheduled >= total) {
        resolve();
        return;
      }
      // Sleep until the next send or the next second's report, whichever is first (a profile's
      // offset or a slow stage would otherwise spin a 1 ms timer for nothing).
      const next = plan.intendedMs(scheduled) - (now - start);
      const toSecond = 1000 - ((now - start) % 1000);
      setTimeout(tick, Math.max(1, Math.min(next, live ? toSecond : next)));
    };
    tick();
  });
  if (live) {
    // The last second ends a few ms after the last send: report it too, so a run shows N of N
    // (and every second of a trailing zero-rate stage).
    const endMs = Math.ceil(plan.durationS) * 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, start + endMs - performance.now())));
    closeSeconds(endMs, performance.now());
  }
  if (inFlight > 0) await allDone;
  const wall = (performance.now() - start) / 1000;
  for (const p of pools) p.close();
  const result: OpenModelResult = {
    targetRate: Math.round((total / activeS) * 100) / 100,
    durationS: plan.durationS,
    activeS,
    sent,
    completed,
    errors,
    skipped,
    statusCounts,
    tagCounts,
    throughputRps: Math.round(completed / Math.max(wall - (profile.offsetS ?? 0), activeS)),
    latencyMs: latencySummary(all),
    sendLagMs: { p99: latencySummary(lag).p99, max: latencySummary(lag).max },
    histogram: all,
  };
  if (o.timeline)
    // Array.from fills the seconds nothing was intended in (a profile's offset) with zeros.
    result.timeline = Array.from({ length: perSecond.length }, (_, second) => {
      const b = perSecond[second] ?? { h: newLatencyHistogram(), sent: 0, completed: 0, errors: 0 };
      const s = latencySummary(b.h);
      return {
        second,
        sent: b.sent,
        completed: b.completed,
        errors: b.errors,
        p50Ms: s.p50,
        p99Ms: s.p99,
      };
    });
  return result;
}
