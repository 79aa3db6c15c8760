/**
 * Live progress of a traffic phase: one plain line per second once every region has reported
 * that second (`runOpenModel`'s `onSecond`). Plain lines rather than a spinner or a redrawn bar:
 * the output is usually a pipe or a log file (the e2e tests, CI), where a redraw is noise; the
 * one progress library in node_modules (`ora`, pulled in by a tool) is a spinner that prints
 * nothing when stdout is not a TTY.
 */
import type { SecondProgress } from '@streambid/loadgen';

/** What one region reports for one second: the generator's figures plus the exchange's. */
export interface RegionSecond {
  region: string;
  /** Which of the region's scenarios reports (one region may run several). @default the region */
  source?: string;
  second: SecondProgress;
  /** Bids the exchange saw so far in this phase. */
  bids: number;
  /** Billed spend so far by the exchange's own record (micros of the currency). */
  spendMicros: number;
}

const fmt = (v: number, d: number): string => v.toFixed(d);

/**
 * One progress line, e.g. `[traffic] 5/20 s | eu 100/s p99 3.2 ms | us 99/s p99 4.1 ms |
 * errors 0 | bids 812 | spend 1.23`. The rate is responses received in that second; errors,
 * bids and spend are totals of the phase so far over every region.
 */
export function formatProgressLine(
  label: string,
  totalS: number,
  regions: readonly RegionSecond[],
): string {
  const elapsed = regions.reduce((a, r) => Math.max(a, r.second.elapsedS), 0);
  const parts = regions.map(
    (r) => `${r.region} ${String(r.second.completed)}/s p99 ${fmt(r.second.p99Ms, 1)} ms`,
  );
  const errors = regions.reduce((a, r) => a + r.second.total.errors, 0);
  const bids = regions.reduce((a, r) => a + r.bids, 0);
  const spend = regions.reduce((a, r) => a + r.spendMicros, 0) / 1e6;
  return [
    `[${label}] ${String(elapsed)}/${String(Math.ceil(totalS))} s`,
    ...parts,
    `errors ${String(errors)}`,
    `bids ${String(bids)}`,
    `spend ${fmt(spend, 2)}`,
  ].join(' | ');
}

/**
 * Collects every region's seconds and says a line once all regions have reported a second (a
 * region that falls behind holds the line back rather than printing half of it). A region that
 * runs several scenarios reports once per scenario per second (`reporters` says how many for each
 * second): its line then adds their counts up, shows the worst scenario's p99 of that second (an
 * upper bound of the region's), and the totals are the sums of each scenario's latest.
 */
export class PhaseProgress {
  private readonly pending = new Map<number, Map<string, RegionSecond[]>>();
  private readonly latest = new Map<string, RegionSecond>();

  constructor(
    private readonly label: string,
    private readonly regions: readonly string[],
    private readonly totalS: number,
    private readonly say: (l: string) => void,
    private readonly reporters: (region: string, second: number) => number = () => 1,
  ) {}

  /** Says a line about the phase under its label (e.g. what is still in flight at its end). */
  note(text: string): void {
    this.say(`[${this.label}] ${text}`);
  }

  /** Records one region's second; says the line when it completes that second. */
  report(r: RegionSecond): void {
    const s = r.second.elapsedS;
    this.latest.set(`${r.region}\u0000${r.source ?? ''}`, r);
    const seen = this.pending.get(s) ?? new Map<string, RegionSecond[]>();
    const list = seen.get(r.region) ?? [];
    list.push(r);
    seen.set(r.region, list);
    this.pending.set(s, seen);
    const complete = this.regions.every(
      (name) => (seen.get(name)?.length ?? 0) >= this.reporters(name, s),
    );
    if (!complete) return;
    this.pending.delete(s);
    const ordered = this.regions.flatMap((name) => {
      const x = seen.get(name);
      return x && x.length > 0 ? [this.combine(name, s, x)] : [];
    });
    this.say(formatProgressLine(this.label, this.totalS, ordered));
  }

  /** One region's second from its scenarios' reports of it. */
  private combine(region: string, s: number, list: readonly RegionSecond[]): RegionSecond {
    const [first] = list;
    const latest = [...this.latest.values()].filter((x) => x.region === region);
    if (list.length === 1 && first && latest.length <= 1) return first;
    const sum = (f: (x: RegionSecond) => number, xs: readonly RegionSecond[]): number =>
      xs.reduce((a, x) => a + f(x), 0);
    return {
      region,
      second: {
        elapsedS: s,
        sent: sum((x) => x.second.sent, list),
        completed: sum((x) => x.second.completed, list),
        errors: sum((x) => x.second.errors, list),
        p99Ms: list.reduce((a, x) => Math.max(a, x.second.p99Ms), 0),
        total: {
          sent: sum((x) => x.second.total.sent, latest),
          completed: sum((x) => x.second.total.completed, latest),
          errors: sum((x) => x.second.total.errors, latest),
        },
      },
      // Bids and spend are the region's own totals (its scenarios share one exchange record).
      bids: latest.reduce((a, x) => Math.max(a, x.bids), 0),
      spendMicros: latest.reduce((a, x) => Math.max(a, x.spendMicros), 0),
    };
  }
}
