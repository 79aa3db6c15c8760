/**
 * npm run bench:replay [-- --clicks 1000000 --report-rows 10000000]
 * 1. Produces N valid clicks to a fresh namespaced topic (setup, not timed), then times the replay
 *    Kafka → ClickHouse (raw table + materialized-view rollups), planning and group join included.
 *    In the same run, two ceilings to read it against: the same click lines inserted into a copy
 *    of the clicks table without views (ClickHouse's parse and write, alone), and a plain read of
 *    the topic with the replay's fetcher (Kafka's side, alone).
 * 2. Inserts M synthetic scored clicks with INSERT … SELECT FROM numbers(M) (setup, not timed) and
 *    times a typical fraud report (by site, one day) over them: median of 5 runs after a warm-up;
 *    rows scanned come from ClickHouse's own query statistics.
 * Drops its database and topics at the end. The last line is one JSON object.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  argsOrExit,
  chExec,
  configOrExit,
  createClickHouse,
  createKafka,
  createPublisher,
  defaultBrokers,
  PartitionFetcher,
  RecordCursor,
  deleteNamespace,
  ensureTopics,
  localClusters,
  rawSql,
  envRows,
  parseFlags,
  silentLogger,
  UsageError,
  type CommandSpec,
} from '@streambid/adapters';
import { catalogue, type ClickEvent } from '@streambid/contracts';
import { configSchema, loadClickfraudConfig } from '../src/config.js';
import { CLICK_COLUMNS, FeatureExtractor } from '../src/domain/features.js';
import { FastClickEncoder } from '../src/replay/click-fast.js';
import { produceAll } from '../src/eval/run.js';
import { replay } from '../src/replay/replayer.js';
import { reportParamsSchema } from '../src/report/params.js';
import { runReport } from '../src/report/query.js';
import { migrate } from '../src/schema/migrations.js';

const COMMAND = {
  name: 'bench:replay',
  usage: 'npm run bench:replay [-- --clicks 1000000 --report-rows 10000000]',
  about:
    'Times the replay Kafka → ClickHouse over N fresh clicks, then a typical fraud report over M synthetic scored clicks; needs `npm run infra -- up`. The last line is one JSON object.',
  flags: {
    clicks: { value: 'N', description: 'clicks produced and replayed', default: '1000000' },
    'report-rows': {
      value: 'M',
      description: 'scored clicks the report reads',
      default: '10000000',
    },
  },
  env: envRows(configSchema, [import.meta.resolve('../src/config.js')]),
} as const satisfies CommandSpec;

const { N, M } = argsOrExit(COMMAND, process.argv.slice(2), (argv) => {
  const { values } = parseFlags(argv, COMMAND.flags);
  const n = Number(values.clicks ?? COMMAND.flags.clicks.default);
  const m = Number(values['report-rows'] ?? COMMAND.flags['report-rows'].default);
  if (!Number.isInteger(n) || n < 1) throw new UsageError('--clicks: expected a positive integer');
  if (!Number.isInteger(m) || m < 1)
    throw new UsageError('--report-rows: expected a positive integer');
  return { N: n, M: m };
});

const config = configOrExit(COMMAND, () => loadClickfraudConfig());
const logger = silentLogger();
const kafka = createKafka({
  clientId: 'bench-replay',
  brokers: defaultBrokers(config.REGION, config.KAFKA_BROKERS),
  logger,
});
const ch = createClickHouse({ url: config.CLICKHOUSE_URL, requestTimeoutMs: 120_000 });
const suffix = randomBytes(4).toString('hex');
const ns = `bench-${suffix}-`;
const db = `cf_bench_${suffix}`;
const cat = catalogue(ns);
const DAY = 86_400_000;
const day0 = Math.floor(Date.now() / DAY) * DAY - DAY;

const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'python-requests/2.31.0',
];
function click(i: number): ClickEvent {
  const ts = day0 + Math.floor((i / N) * (DAY - 60_000));
  return {
    eventId: `bc-${suffix}-${String(i)}`,
    ts,
    region: 'eu',
    bidId: `bb-${suffix}-${String(i)}`,
    campaignId: `camp-${String(i % 50)}`,
    creativeId: `cr-${String(i % 7)}`,
    impressionTs: ts - 3000 - (i % 20_000),
    userId: `u-${String((i * 7919) % 400_000)}`,
    ip: `${String(11 + (i % 200))}.${String((i >> 8) & 255)}.${String(i & 255)}.${String((i * 31) & 255)}`,
    ua: UAS[i % UAS.length] ?? '',
    siteDomain: `site${String(i % 1000)}.example.com`,
    publisherId: `pub-${String(i % 100)}`,
    placement: ['top', 'side', 'bottom'][i % 3] ?? 'top',
    country: 'DEU',
    deviceType: 2,
    // What the bidder writes on traffic without privacy signals (docs/privacy.md).
    privacy: { basis: 'none', p: 511 },
  };
}

/** Records per second of a plain read of `topic` (every partition, from 0) with the replay's fetcher. */
async function kafkaReadCeiling(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const brokers = defaultBrokers(config.REGION, config.KAFKA_BROKERS);
  const t0 = Date.now();
  const fetcher = await PartitionFetcher.open({
    brokers,
    clientId: 'bench-read-ceiling',
    partitions: ends.map((e) => ({ topic, partition: e.partition, offset: 0 })),
    maxBytes: 16 * 1024 * 1024,
    partitionMaxBytes: 2 * 1024 * 1024,
    maxWaitMs: 200,
    logger,
  });
  const end = new Map(ends.map((e) => [e.partition, Number(e.high)]));
  const cursor = new RecordCursor();
  let read = 0;
  let bytes = 0;
  try {
    while (end.size > 0) {
      const parts = await fetcher.next();
      if (parts === null) break;
      for (const p of parts) {
        const high = end.get(p.partition);
        if (high === undefined) continue;
        const c = cursor.reset(topic, p.partition, p.records, p.abortedTransactions, p.fetchOffset);
        while (c.next()) {
          read++;
          bytes += c.value?.length ?? 0;
        }
        if (c.nextOffset >= high) {
          end.delete(p.partition);
          fetcher.remove(topic, p.partition);
        }
      }
    }
  } finally {
    fetcher.close();
  }
  if (read !== N) throw new Error(`read ceiling read ${String(read)} of ${String(N)} clicks`);
  console.log(`read ceiling: ${String(read)} records, ${String(Math.round(bytes / 2 ** 20))} MiB`);
  return Math.round((read / (Date.now() - t0)) * 1000);
}

/**
 * Rows per second ClickHouse takes the replay's own click lines at, into a copy of the clicks table
 * without views: one batch of `batchRows` encoded once, inserted until N rows went in, two inserts
 * in flight (the replay's two lanes).
 */
async function insertCeiling(table: string, batchRows: number): Promise<number> {
  const enc = new FastClickEncoder(new FeatureExtractor());
  const rows = Math.min(batchRows, N);
  const chunks: Buffer[] = [];
  for (let i = 0; i < rows; i++) {
    const raw = Buffer.from(JSON.stringify(click(i)));
    if (enc.scan(raw) < 0) throw new Error('bench click not on the byte path');
    const out = Buffer.alloc(FastClickEncoder.maxBytes(raw, 'clicks', String(i)));
    chunks.push(out.subarray(0, enc.write(raw, out, 0, 'clicks', 0, String(i))));
  }
  const batch = Buffer.concat(chunks);
  const t0 = Date.now();
  let sent = 0;
  const one = async (): Promise<void> => {
    while (sent < N) {
      sent += rows;
      await ch.insert({
        table,
        columns: [...CLICK_COLUMNS],
        values: Readable.from([batch], { objectMode: false }),
        format: 'TabSeparated',
      });
    }
  };
  await Promise.all([one(), one()]);
  return Math.round((sent / (Date.now() - t0)) * 1000);
}

const out: Record<string, number | string> = { clicks: N, report_clicks: M };
try {
  await ensureTopics(kafka, [cat.clicks, cat.impressions]);
  const publisher = await createPublisher(kafka, { idempotent: false });
  const tp = Date.now();
  for (let i = 0; i < N; i += 100_000)
    await produceAll(
      publisher,
      cat.clicks,
      Array.from({ length: Math.min(100_000, N - i) }, (_, k) => click(i + k)),
      {
        chunk: 5000,
        inFlight: 4,
      },
    );
  await publisher.close();
  out['produce_ms'] = Date.now() - tp;
  console.log(`produced ${String(N)} clicks in ${String(out['produce_ms'])} ms`);

  const t = await migrate(ch, db, 'v1');
  const tr = Date.now();
  const cpu0 = process.cpuUsage();
  const res = await replay({
    kafka,
    ch,
    tables: t,
    topics: { clicks: [cat.clicks.name], impressions: [] },
    fromMs: null,
    toMs: null,
    batchRows: config.CLICKFRAUD_BATCH_ROWS,
    lanes: config.CLICKFRAUD_REPLAY_LANES,
    logger,
  });
  const replayMs = Date.now() - tr;
  const cpu = process.cpuUsage(cpu0);
  // This process's CPU per click: a figure the other load on a shared machine barely moves.
  out['replay_cpu_us_per_click'] = Number(((cpu.user + cpu.system) / N).toFixed(2));
  out['replay_ms'] = replayMs;
  out['replay_clicks_per_s'] = Math.round((res.written / replayMs) * 1000);
  console.log(`replayed ${String(res.written)} clicks in ${String(replayMs)} ms`);
  if (res.written !== N)
    throw new Error(`replay stored ${String(res.written)} of ${String(N)} clicks`);

  const replayRate = Math.round((res.written / replayMs) * 1000);
  const readCeiling = await kafkaReadCeiling(cat.clicks.name);
  const rawTable = `${db}.clicks_no_views`;
  await chExec(ch, rawSql(`CREATE TABLE ${rawTable} AS ${t.clicks}`));
  const insertRate = await insertCeiling(rawTable, config.CLICKFRAUD_BATCH_ROWS);
  const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;
  out['kafka_read_ceiling_per_s'] = readCeiling;
  out['clickhouse_insert_ceiling_per_s'] = insertRate;
  out['replay_vs_insert_ceiling'] = ratio(replayRate, insertRate);
  out['replay_vs_kafka_read_ceiling'] = ratio(replayRate, readCeiling);
  console.log(
    `ceilings: ClickHouse insert ${String(out['clickhouse_insert_ceiling_per_s'])}/s, Kafka read ${String(out['kafka_read_ceiling_per_s'])}/s`,
  );

  const ts0 = Math.floor(day0 / 1000);
  const ti = Date.now();
  await chExec(
    ch,
    rawSql(`INSERT INTO ${t.clickScores}
      SELECT toDateTime(${String(ts0)} + intDiv(number * 86399, ${String(M)})) AS ts,
             ['eu','us','ap'][number % 3 + 1] AS region, concat('ev', toString(number)) AS event_id,
             concat('camp-', toString(number % 50)) AS campaign_id,
             concat('site', toString(intHash32(number) % 1000), '.example.com') AS inventory, 0 AS is_app,
             concat('pub-', toString(intHash32(number) % 100)) AS publisher, 'top' AS placement,
             IPv4NumToString(toUInt32(intHash32(number) % 2000000 + 200000000)) AS ip,
             IPv4NumToStringClassC(toUInt32(intHash32(number) % 2000000 + 200000000)) AS subnet,
             concat('u', toString(intHash64(number) % 3000000)) AS user_id,
             toFloat32(if(number % 17 = 0, 0.9, 0)) AS score,
             if(number % 17 = 0, ['ip_burst'], emptyArrayString()) AS reasons,
             toUInt8(number % 17 = 0) AS invalid
      FROM system.numbers LIMIT ${String(M)}`),
  );
  await chExec(
    ch,
    rawSql(`INSERT INTO ${t.placementHourly}
      SELECT toDateTime(${String(ts0)} + (number % 24) * 3600) AS hour, 'eu', concat('pub-', toString(number % 100)),
             concat('site', toString(intDiv(number, 24) % 1000), '.example.com'), 0, 'top', 0, 5000
      FROM system.numbers LIMIT 24000`),
  );
  out['setup_insert_ms'] = Date.now() - ti;
  const params = reportParamsSchema.parse({
    from: new Date(day0).toISOString(),
    to: new Date(day0 + DAY).toISOString(),
    by: 'site',
    limit: '50',
  });
  await runReport(ch, t, params);
  const times: number[] = [];
  let rowsRead = 0;
  for (let i = 0; i < 5; i++) {
    const s = Date.now();
    const r = await runReport(ch, t, params);
    times.push(Date.now() - s);
    rowsRead = r.rowsRead;
    if (r.rows.length === 0) throw new Error('report returned no rows');
  }
  times.sort((a, b) => a - b);
  out['report_ms'] = times[2] ?? 0;
  out['report_ms_runs'] = times.join(',');
  out['report_rows_scanned'] = rowsRead;
  out['note'] = 'Kafka, ClickHouse and the replay process share the cores of one 2-core machine';
} finally {
  await chExec(ch, rawSql(`DROP DATABASE IF EXISTS ${db}`)).catch(() => undefined);
  await deleteNamespace(localClusters('bench-cleanup', logger), ns);
  await ch.close();
}
console.log(JSON.stringify(out));
process.exit(0);
