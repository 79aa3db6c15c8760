import { performance } from 'node:perf_hooks';
import type { ProfileLookup, ProfileReader } from '@streambid/profiles';

export type LookupResult = ProfileLookup['kind'] | 'timeout' | 'error';

interface Lookup {
  /** When it times out (performance.now() clock). */
  at: number;
  settled: boolean;
  done: (profile: ProfileLookup | undefined) => void;
}

/**
 * Cookie-profile reads bounded by deadlines. One timer watches every read in flight (instead of a
 * timer set and cleared per request): it fires at the earliest deadline, times out what is due and
 * re-arms for the next one. A read that times out or fails yields `undefined` (profile unavailable),
 * so the campaigns that need it are skipped and the rest still bid.
 */
export class ProfileLookups {
  private pending: Lookup[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(
    private readonly reader: ProfileReader,
    private readonly onResult: (r: LookupResult) => void,
  ) {}

  /** Reads `userId`'s profile; `done` is called exactly once, within `timeoutMs` (timer accuracy). */
  lookup(
    userId: string,
    timeoutMs: number,
    now: number,
    done: (profile: ProfileLookup | undefined) => void,
  ): void {
    const l: Lookup = { at: performance.now() + timeoutMs, settled: false, done };
    this.pending.push(l);
    this.arm(l.at);
    this.reader.get(userId, now).then(
      (r) => this.settle(l, r.kind, r),
      () => this.settle(l, 'error', undefined),
    );
  }

  /** Reads in flight (settled ones are dropped when the timer next fires). */
  get inFlight(): number {
    let n = 0;
    for (const l of this.pending) if (!l.settled) n++;
    return n;
  }

  /** Times out every read in flight now (shutdown). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    const all = this.pending;
    this.pending = [];
    for (const l of all) this.settle(l, 'timeout', undefined);
  }

  private settle(l: Lookup, result: LookupResult, profile: ProfileLookup | undefined): void {
    if (l.settled) return;
    l.settled = true;
    this.onResult(result);
    l.done(profile);
  }

  private arm(at: number): void {
    if (at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.expire, Math.max(1, Math.ceil(at - performance.now())));
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const t = performance.now();
    const keep: Lookup[] = [];
    let next = Infinity;
    for (const l of this.pending) {
      if (l.settled) continue;
      if (l.at <= t) {
        this.settle(l, 'timeout', undefined);
      } else {
        keep.push(l);
        if (l.at < next) next = l.at;
      }
    }
    this.pending = keep;
    if (next !== Infinity) this.arm(next);
  };
}
