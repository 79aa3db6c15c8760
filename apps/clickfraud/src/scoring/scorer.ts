import {
  chExec,
  chQuery,
  rawSql,
  sql,
  type ClickHouseClient,
  type Logger,
} from '@streambid/adapters';
import { DEFAULT_RULES, type ScoringRules } from '../domain/rules.js';
import type { ModelTables } from '../schema/names.js';
import { scoringSelect, type DayWindow } from './score-sql.js';

const DAY = 86_400_000;

/** UTC days overlapping [fromMs, toMs). */
export function daysCovering(fromMs: number, toMs: number): DayWindow[] {
  const out: DayWindow[] = [];
  for (let d = Math.floor(fromMs / DAY) * DAY; d < toMs; d += DAY)
    out.push({ start: new Date(d), end: new Date(d + DAY) });
  return out;
}

function partitionId(day: DayWindow): string {
  return day.start.toISOString().slice(0, 10).replaceAll('-', '');
}

/** Event-time range of the stored clicks, or null when there are none. */
export async function clickSpan(
  ch: ClickHouseClient,
  t: ModelTables,
): Promise<{ fromMs: number; toMs: number } | null> {
  const rows = await chQuery<{ lo: string; hi: string; n: string }>(
    ch,
    rawSql(`SELECT min(ts_ms) AS lo, max(ts_ms) AS hi, count() AS n FROM ${t.clicks}`),
  );
  const r = rows[0];
  if (!r || Number(r.n) === 0) return null;
  return { fromMs: Number(r.lo), toMs: Number(r.hi) + 1 };
}

/**
 * Scores every click of the UTC days overlapping the window. Each day is computed into a staging
 * table and swapped in with REPLACE PARTITION, so rescoring is idempotent and readers never see a
 * half-scored day.
 */
export async function scoreWindow(
  ch: ClickHouseClient,
  t: ModelTables,
  window: { fromMs: number; toMs: number },
  opts: { rules?: ScoringRules; logger: Logger },
): Promise<{ days: number; clicks: number; invalid: number }> {
  const log = opts.logger.child({ module: 'scorer' });
  const rules = opts.rules ?? DEFAULT_RULES;
  let clicks = 0;
  let invalid = 0;
  const days = daysCovering(window.fromMs, window.toMs);
  for (const day of days) {
    const started = Date.now();
    const imp = await chQuery<{ n: string }>(
      ch,
      sql`SELECT count() AS n FROM ${rawSql(t.impressions)} WHERE ts >= ${day.start} AND ts < ${day.end}`,
    );
    // Without impressions (the topic was not replayed) CTR and "no impression" cannot be judged.
    const checkImpressions = Number(imp[0]?.n ?? 0) > 0;
    const part = partitionId(day);
    await chExec(ch, sql`ALTER TABLE ${rawSql(t.scoreStage)} DROP PARTITION ${Number(part)}`);
    await chExec(
      ch,
      sql`INSERT INTO ${rawSql(t.scoreStage)} ${scoringSelect(t, day, rules, { checkImpressions })}`,
    );
    await chExec(
      ch,
      sql`ALTER TABLE ${rawSql(t.clickScores)} REPLACE PARTITION ${Number(part)} FROM ${rawSql(t.scoreStage)}`,
    );
    await chExec(ch, sql`ALTER TABLE ${rawSql(t.scoreStage)} DROP PARTITION ${Number(part)}`);
    const stats = await chQuery<{ n: string; bad: string }>(
      ch,
      sql`SELECT count() AS n, sum(invalid) AS bad FROM ${rawSql(t.clickScores)} WHERE ts >= ${day.start} AND ts < ${day.end}`,
    );
    const n = Number(stats[0]?.n ?? 0);
    const bad = Number(stats[0]?.bad ?? 0);
    clicks += n;
    invalid += bad;
    log.info(
      { day: part, clicks: n, invalid: bad, ms: Date.now() - started, checkImpressions },
      'day scored',
    );
  }
  return { days: days.length, clicks, invalid };
}
