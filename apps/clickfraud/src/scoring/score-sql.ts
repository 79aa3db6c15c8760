import { rawSql, sql, type Sql } from '@streambid/adapters';
import { REASONS, type ScoringRules } from '../domain/rules.js';
import type { ModelTables } from '../schema/names.js';

/** One UTC day of scoring: [start, end). */
export interface DayWindow {
  start: Date;
  end: Date;
}

/**
 * The scoring statement for one day: each click's reasons from its own row (data-centre address,
 * bot agent, click-to-impression time) and from the rollups (bursts, cookies per IP, clicks per
 * cookie, CTR outliers), plus the impression lookup, combined as 1 − Π(1 − w). Every number comes
 * from zod-validated rules and is rendered by the literal formatter. One JOIN-free SELECT with
 * `IN` sets, because ClickHouse 18.16 allows a single JOIN per SELECT.
 */
export function scoringSelect(
  t: ModelTables,
  day: DayWindow,
  rules: ScoringRules,
  opts: { checkImpressions: boolean },
): Sql {
  const { start, end } = day;
  const hourIn = sql`hour >= ${start} AND hour < ${end}`;
  const names = [...REASONS];
  const weights = names.map((n) => rules.weights[n]);
  const ctrOutliers = opts.checkImpressions
    ? sql`(inventory, placement) IN (
        SELECT inventory, placement FROM (
          SELECT inventory, placement, sum(clicks) AS c, sum(impressions) AS i
          FROM ${rawSql(t.placementHourly)} WHERE ${hourIn} GROUP BY inventory, placement)
        WHERE c >= ${rules.ctrMinClicks} AND c >= i * greatest(${rules.ctrFloor}, ${rules.ctrFactor} * (
          SELECT quantile(0.5)(c2 / i2) FROM (
            SELECT sum(clicks) AS c2, sum(impressions) AS i2 FROM ${rawSql(t.placementHourly)}
            WHERE ${hourIn} GROUP BY inventory, placement)
          WHERE i2 >= ${rules.ctrPeerMinImpressions})))`
    : rawSql('0');
  const noImpression = opts.checkImpressions
    ? sql`bid_id NOT IN (
        SELECT bid_id FROM ${rawSql(t.impressions)}
        WHERE ts >= ${new Date(start.getTime() - 3_600_000)} AND ts < ${end}
          AND bid_id IN (SELECT bid_id FROM ${rawSql(t.clicks)} WHERE ts >= ${start} AND ts < ${end}))`
    : rawSql('0');
  return sql`
SELECT ts, region, event_id, campaign_id, inventory, is_app, publisher, placement, ip, subnet,
       user_id, toFloat32(score) AS score, reasons, toUInt8(score >= ${rules.invalidScore}) AS invalid
FROM (
  SELECT *, 1 - exp(arraySum(arrayMap(r -> log(1 - transform(r, ${names}, ${weights}, 0.0)), reasons))) AS score
  FROM (
    SELECT ts, region, event_id, campaign_id, inventory, is_app, publisher, placement, ip, subnet, user_id,
      arrayFilter(r -> r != '', [
        if(dc_provider != '', 'datacenter_ip', ''),
        if(bot_ua = 1, 'bot_ua', ''),
        if(ctit_ms >= 0 AND ctit_ms < ${rules.injectionMs}, 'click_injection', ''),
        if((toStartOfHour(ts), ip) IN (
            SELECT hour, ip FROM ${rawSql(t.ipHourly)} WHERE ${hourIn}
            GROUP BY hour, ip HAVING sumMerge(clicks) >= ${rules.ipBurstClicks}), 'ip_burst', ''),
        if((toStartOfHour(ts), subnet) IN (
            SELECT hour, subnet FROM ${rawSql(t.subnetHourly)} WHERE ${hourIn}
            GROUP BY hour, subnet
            HAVING sumMerge(clicks) >= ${rules.subnetBurstClicks} AND uniqExactMerge(ips) >= ${rules.subnetBurstIps}),
          'subnet_burst', ''),
        if(ip IN (
            SELECT ip FROM ${rawSql(t.ipHourly)} WHERE ${hourIn}
            GROUP BY ip HAVING uniqExactMerge(cookies) >= ${rules.cookiesPerIp}), 'cookie_stuffing', ''),
        if(user_id != '' AND user_id IN (
            SELECT user_id FROM ${rawSql(t.cookieDaily)} WHERE day = toDate(${start})
            GROUP BY user_id HAVING sumMerge(clicks) >= ${rules.clicksPerCookie}), 'cookie_clicks', ''),
        if(${ctrOutliers}, 'ctr_outlier', ''),
        if(${noImpression}, 'no_impression', '')
      ]) AS reasons
    FROM ${rawSql(t.clicks)}
    WHERE ts >= ${start} AND ts < ${end}
  )
)`;
}
