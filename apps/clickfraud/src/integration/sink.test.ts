import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chExec, chQuery, rawSql, sqlIdent, type ClickHouseClient } from '@streambid/adapters';
import { testClickHouse, uniq } from '@streambid/testkit/services';
import { CLICK_COLUMNS, FeatureExtractor } from '../domain/features.js';
import { TableSink } from '../replay/sink.js';
import { clickLine } from '../replay/tsv.js';
import { migrate } from '../schema/migrations.js';

describe('the ClickHouse table sink', () => {
  const db = sqlIdent(uniq('cfsink').replace('-', '_'));
  let ch: ClickHouseClient;

  beforeAll(() => {
    ch = testClickHouse();
  });
  afterAll(async () => {
    await chExec(ch, rawSql(`DROP DATABASE IF EXISTS ${db}`));
    await ch.close();
  });

  it('stores rows with hostile strings exactly as they were (TabSeparated escaping)', async () => {
    const t = await migrate(ch, db, 'v1');
    const hostile = [
      'tab\there',
      'new\nline',
      'cr\rret',
      'back\\slash\\t',
      'quote\'"',
      'ünï ✓ 😀',
      '',
    ];
    const fx = new FeatureExtractor();
    const rows = hostile.map((s, i) =>
      fx.click(
        {
          eventId: `e${String(i)}`,
          ts: 1_714_557_600_123 + i,
          region: 'eu',
          bidId: s === '' ? 'b' : s,
          campaignId: 'c',
          creativeId: 'r',
          ua: s,
          siteDomain: s,
          ip: '52.1.2.3',
        },
        { topic: 'clicks', partition: 3, offset: String(2 ** 53 - 10 + i) },
      ),
    );
    // A batch of 4 rows: the last insert is a partial batch.
    const sink = new TableSink(ch, t.clicks, CLICK_COLUMNS, { batchRows: 4 });
    for (const r of rows) {
      const src = { topic: r.src_topic, partition: r.src_partition, offset: r.src_offset };
      sink.push(clickLine(r, false), src);
    }
    await sink.drain();
    const back = await chQuery<Record<string, unknown>>(
      ch,
      rawSql(`SELECT ${CLICK_COLUMNS.join(', ')} FROM ${t.clicks} ORDER BY event_id`),
    );
    // UInt64 columns come back as strings in JSON output; DateTime as text.
    const norm = (r: object): Record<string, string> =>
      Object.fromEntries(CLICK_COLUMNS.map((c) => [c, String((r as Record<string, unknown>)[c])]));
    expect(back.map(norm).map((r) => ({ ...r, ts: '' }))).toEqual(
      rows.map((r) => ({ ...norm(r), ts: '' })),
    );
    expect(back[0]?.['dc_provider']).toBe('aws');
    expect(sink.written).toBe(hostile.length);
    expect(sink.inserts).toBe(2);
  });
});
