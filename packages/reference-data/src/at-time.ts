import { DataCentreIndex, type DataCentreRange } from './datacentre.js';
import { ReferenceHistory } from './history.js';
import { compileBotRules, isBotUserAgent, PROJECT_BOT_UA } from './user-agent.js';

/** The reference data in force over one stretch of time, built once for it. */
export class ReferenceSet {
  private readonly uaMemo = new Map<string, boolean>();

  constructor(
    /** Versions in force (0: the built-in list). */
    readonly versions: { readonly bots: number; readonly datacentre: number },
    readonly datacentre: DataCentreIndex,
    readonly botRules: RegExp,
  ) {}

  /** `isBotUserAgent` under these rules, memoised (agents repeat heavily; bounded). */
  botUa(ua: string | undefined): boolean {
    if (ua === undefined) return true;
    let v = this.uaMemo.get(ua);
    if (v === undefined) {
      v = isBotUserAgent(ua, this.botRules);
      if (this.uaMemo.size > 10_000) this.uaMemo.clear();
      this.uaMemo.set(ua, v);
    }
    return v;
  }
}

/** Combinations of versions kept built at once. */
const MAX_BUILT = 8;

/** The bot-rules value a history holds. */
export interface BotRulesValue {
  readonly patterns: readonly string[];
}
/** The data-centre value a history holds. */
export interface DatacentreValue {
  readonly ranges: readonly DataCentreRange[];
}

/**
 * "The reference data at time t" for a replay: the bot rules and data-centre ranges in force at
 * each event's time (`ReferenceHistory`: the highest version whose `effectiveFrom` ≤ t, else the
 * built-in list). Built per combination of versions, lazily, and kept; `at` remembers the last
 * stretch [from, to) over which the combination holds, so a replay, whose event times are
 * roughly ordered, costs two comparisons per event and a search only when it crosses a version
 * boundary. The histories may grow while it is used (a follow hears of new versions): any
 * change drops what was built.
 */
export class ReferenceAtTime {
  private readonly built = new Map<string, ReferenceSet>();
  private generation = -1;
  private from = 0;
  private to = -1;
  private last: ReferenceSet | undefined;

  constructor(
    readonly bots: ReferenceHistory<BotRulesValue> = new ReferenceHistory(),
    readonly datacentre: ReferenceHistory<DatacentreValue> = new ReferenceHistory(),
  ) {}

  /** The reference data in force at `t` (ms since epoch). */
  at(t: number): ReferenceSet {
    // Kept small so that it inlines: the replay calls it for every click.
    const last = this.last;
    if (
      last !== undefined &&
      t >= this.from &&
      t < this.to &&
      this.generation === this.bots.generation + this.datacentre.generation
    )
      return last;
    return this.lookUp(t);
  }

  private lookUp(t: number): ReferenceSet {
    const gen = this.bots.generation + this.datacentre.generation;
    if (gen !== this.generation) {
      this.built.clear();
      this.generation = gen;
    }
    const b = this.bots.spanAt(t);
    const d = this.datacentre.spanAt(t);
    this.from = Math.max(b.from, d.from);
    this.to = Math.min(b.to, d.to);
    const key = `${String(b.entry?.version ?? 0)}:${String(d.entry?.version ?? 0)}`;
    let set = this.built.get(key);
    if (!set) {
      set = new ReferenceSet(
        { bots: b.entry?.version ?? 0, datacentre: d.entry?.version ?? 0 },
        d.entry ? new DataCentreIndex(d.entry.value.ranges) : new DataCentreIndex(),
        b.entry ? compileBotRules(b.entry.value.patterns) : PROJECT_BOT_UA,
      );
      // A replay walks forward through time: a few combinations at hand is enough, and a long
      // history of versions does not pile up indexes in memory.
      if (this.built.size >= MAX_BUILT) this.built.clear();
      this.built.set(key, set);
    }
    this.last = set;
    return set;
  }
}
