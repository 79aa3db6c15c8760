import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli/args.js';
import { parseReplayArgs } from '../cli/args.js';
import { parseReconcileArgs } from './args.js';
import { loadReconcileConfig } from './config.js';
import { loadRunScope, RunSummaryError } from './run-summary.js';

const usage = (argv: string[]): string => {
  try {
    parseReconcileArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  return 'no error';
};

describe('reconcile flags', () => {
  it('takes a window, endpoints per region and the switches', () => {
    const a = parseReconcileArgs([
      '--from',
      '2024-05-01T12:00:00Z',
      '--to',
      '2024-05-01T13:00:00Z',
      '--brokers',
      'eu=127.0.0.1:9092,us=127.0.0.1:9192',
      '--inventory',
      'us=http://127.0.0.1:8190',
      '--no-load',
      '--settle',
      '0',
    ]);
    expect(a.window).toEqual({
      fromMs: Date.UTC(2024, 4, 1, 12),
      toMs: Date.UTC(2024, 4, 1, 13),
    });
    expect([...a.brokers]).toEqual([
      ['eu', '127.0.0.1:9092'],
      ['us', '127.0.0.1:9192'],
    ]);
    expect([...a.inventory]).toEqual([['us', 'http://127.0.0.1:8190']]);
    expect([a.load, a.ledger, a.settleMs]).toEqual([false, true, 0]);
  });

  it('names the flag that is wrong', () => {
    expect(usage(['--from', '2024-05-01'])).toMatch(/^--to: required/);
    expect(usage(['--to', '2024-05-01'])).toMatch(/^--from: required/);
    expect(usage(['--from', 'yesterday', '--to', '2024-05-01'])).toMatch(/^--from:/);
    expect(usage(['--from', '2024-05-02', '--to', '2024-05-01'])).toMatch(/^--to: must be after/);
    expect(usage(['--run', '../../etc'])).toMatch(/^--run:/);
    expect(usage(['--run', 'abc', '--from', '2024-05-01'])).toMatch(/^--from: not with --run/);
    expect(usage(['--run', 'abc', '--brokers', 'xx=1.2.3.4:9'])).toMatch(/^--brokers:/);
    expect(usage(['--run', 'abc', '--brokers', 'eu=a:1,eu=b:2'])).toMatch(/^--brokers:/);
    expect(usage(['--run', 'abc', '--inventory', 'eu=ftp://x'])).toMatch(/^--inventory:/);
    expect(usage(['--run', 'abc', '--settle', '1.5'])).toMatch(/^--settle:/);
    expect(usage(['--run', 'abc', '--regions', 'eu,mars'])).toMatch(/^--regions:/);
    expect(usage(['--frm', 'x'])).toMatch(/--frm/);
  });

  it('answers --help without needing a window', () => {
    expect(parseReconcileArgs(['--help']).help).toBe(true);
  });

  it('reads endpoints from the environment, naming a bad variable', () => {
    expect([
      ...(loadReconcileConfig({ RECONCILE_BROKERS: 'us=h:1' }).RECONCILE_BROKERS ?? []),
    ]).toEqual([['us', 'h:1']]);
    expect(() => loadReconcileConfig({ RECONCILE_INVENTORY: 'us' })).toThrow(/RECONCILE_INVENTORY/);
  });
});

describe('replay --topics', () => {
  it('loads every stream, delivery included, unless told otherwise', () => {
    expect(parseReplayArgs(['--from', 'earliest'], false).topics).toEqual([
      'clicks',
      'impressions',
      'spend',
      'bids',
      'wins',
      'losses',
    ]);
    expect(parseReplayArgs(['--from', 'earliest', '--topics', 'spend'], false).topics).toEqual([
      'spend',
    ]);
    // Listed in a fixed order whatever the order given.
    expect(
      parseReplayArgs(['--from', 'earliest', '--topics', 'losses,bids,wins'], false).topics,
    ).toEqual(['bids', 'wins', 'losses']);
    expect(() => parseReplayArgs(['--topics', 'spend,bogus'], true)).toThrow(/^--topics:/);
    expect(() => parseReplayArgs(['--topics', 'bids,bids'], true)).toThrow(/^--topics:/);
  });
});

describe("a load-test run's summary", () => {
  const dir = mkdtempSync(join(tmpdir(), 'reconcile-'));
  const write = (run: string, body: unknown): void => {
    mkdirSync(join(dir, run), { recursive: true });
    writeFileSync(join(dir, run, 'summary.json'), JSON.stringify(body));
  };
  const campaigns = [{ id: 'r1-eu-0', home: 'eu', budget_micros: 1 }];

  it('gives the namespace, regions, window, campaigns and endpoints it records', async () => {
    write('r1', {
      run_id: 'r1',
      namespace: 'lt-r1-',
      regions: { eu: {}, us: {} },
      window: { from_ms: 1000, to_ms: 2000 },
      brokers: { eu: '127.0.0.1:9092' },
      inventory_urls: { us: 'http://127.0.0.1:8190' },
      campaigns,
    });
    const s = await loadRunScope(dir, 'r1');
    expect(s).toMatchObject({
      namespace: 'lt-r1-',
      namespaceFrom: 'summary',
      regions: ['eu', 'us'],
      window: { fromMs: 1000, toMs: 2000 },
      campaigns: [{ id: 'r1-eu-0', homeRegion: 'eu' }],
    });
    expect([...s.brokers]).toEqual([['eu', '127.0.0.1:9092']]);
    expect([...s.inventory]).toEqual([['us', 'http://127.0.0.1:8190']]);
  });

  it("falls back to the load test's namespace and the whole namespace when the summary is older", async () => {
    write('r2', { run_id: 'r2', regions: { eu: {} }, campaigns });
    expect(await loadRunScope(dir, 'r2')).toMatchObject({
      namespace: 'lt-r2-',
      namespaceFrom: 'run id',
      window: { fromMs: null, toMs: null },
    });
  });

  it('refuses a missing or malformed summary, naming the file and field', async () => {
    await expect(loadRunScope(dir, 'absent')).rejects.toThrow(RunSummaryError);
    write('r3', { run_id: 'r3', regions: { eu: {} }, campaigns: [{ id: 1 }] });
    await expect(loadRunScope(dir, 'r3')).rejects.toThrow(/summary\.json: campaigns\.0\.id/);
  });
});
