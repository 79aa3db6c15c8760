/**
 * The live dashboard in a real browser: a short two-region load test (`npm run loadtest`, its own
 * ports) starts the dashboard and prints its URL; Chromium opens it, and the page must show both
 * regions' QPS charts with non-zero data that keeps changing and a campaign's spend, read from
 * the page itself (the uPlot instances and the table rows it draws). A screenshot goes into the
 * run's report folder. When the load test ends, the dashboard is stopped with everything else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@streambid/adapters';
import { launchChromium } from '@streambid/testkit/browser';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REGIONS = ['eu', 'us'] as const;
/** This file's own app ports (other e2e files use 3000–5000). */
const PORT_OFFSET = 6000;
/** Requests per second per region. */
const RATE = 60;

/** `npm run loadtest` as a node command line (the script's own words from package.json). */
function loadtestCommand(): string[] {
  const scripts = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  return (scripts['loadtest'] ?? '').split(/\s+/).filter(Boolean).slice(1);
}

/** The QPS series of every region's chart as uPlot holds it: [timestamps, values]. */
type QpsSeries = Record<string, { x: number[]; y: (number | null)[] }>;

const readQps = (page: Page): Promise<QpsSeries> =>
  page.evaluate((regions) => {
    const w = globalThis as unknown as {
      dashboard?: { charts: Record<string, { qps: { data: (number | null)[][] } }> };
    };
    const out: Record<string, { x: number[]; y: (number | null)[] }> = {};
    for (const r of regions) {
      const d = w.dashboard?.charts[r]?.qps.data;
      out[r] = { x: (d?.[0] ?? []) as number[], y: d?.[1] ?? [] };
    }
    return out;
  }, REGIONS);

const nonZero = (y: readonly (number | null)[]): boolean => y.some((v) => v !== null && v > 0);

describe('the live dashboard in Chromium during a two-region load test', () => {
  let loadtest: ChildProcess;
  let out = '';
  let exited: Promise<number | null>;
  let browser: Browser;
  let page: Page;
  let url = '';
  let runId = '';

  beforeAll(async () => {
    loadtest = spawn(
      process.execPath,
      [
        ...loadtestCommand(),
        '--regions',
        'eu,us',
        '--rate',
        String(RATE),
        '--duration',
        '25',
        '--warmup',
        '2',
        '--port-offset',
        String(PORT_OFFSET),
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    loadtest.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    loadtest.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    exited = new Promise((resolve) => loadtest.once('exit', (code) => resolve(code)));
    [url, runId] = await waitFor(
      () => {
        if (loadtest.exitCode !== null) throw new Error(`loadtest exited early:\n${out}`);
        const u = /^dashboard: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)$/m.exec(out)?.[1];
        const run = /loadtest\/reports\/([0-9a-f]{8})\/logs/.exec(out)?.[1];
        return u !== undefined && run !== undefined ? [u, run] : null;
      },
      { timeoutMs: 240_000, intervalMs: 200, what: 'the load test printing the dashboard URL' },
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    // The load test ends on its own and stops what it started; killing it would orphan its apps.
    if (loadtest && loadtest.exitCode === null)
      await waitFor(() => loadtest.exitCode !== null, {
        timeoutMs: 240_000,
        intervalMs: 500,
        what: 'the load test finishing',
      }).catch(() => loadtest.kill('SIGKILL'));
  }, 300_000);

  it('answers 401 without the token', async () => {
    const bare = url.replace(/\?token=.*$/, '');
    expect((await fetch(bare)).status).toBe(401);
    expect((await fetch(`${bare}assets/dashboard.js`)).status).toBe(401);
  });

  it('draws both regions’ QPS with non-zero data that changes, and a campaign’s spend', async () => {
    await page.goto(url);
    // The token went into a cookie and left the address bar.
    expect(page.url()).not.toContain('token=');
    // The interface promises charts within 5 s of opening the page (the history comes first).
    await waitFor(
      async () =>
        (await page.locator('section[data-region] canvas').count()) >= 3 * REGIONS.length &&
        (await page.locator('#status[data-state="live"]').count()) === 1,
      { timeoutMs: 5000, intervalMs: 100, what: 'the charts drawn and the feed live' },
    );
    const first = await waitFor(
      async () => {
        const q = await readQps(page);
        return REGIONS.every((r) => nonZero(q[r]?.y ?? [])) ? q : null;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: 'non-zero QPS in both regions’ charts' },
    );
    await waitFor(
      async () => {
        const q = await readQps(page);
        return REGIONS.every((r) => {
          const before = first[r] ?? { x: [], y: [] };
          const now = q[r] ?? { x: [], y: [] };
          const lastBefore = before.x[before.x.length - 1] ?? 0;
          // New points after the first reading, and traffic among them.
          const fresh = now.y.filter((_, i) => (now.x[i] ?? 0) > lastBefore);
          return fresh.length >= 2 && nonZero(fresh);
        });
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'both QPS charts moving on with traffic' },
    );

    const spent = await waitFor(
      async () => {
        const rows = await page.$$eval('tr[data-campaign]', (trs) =>
          trs.map((tr) => ({
            id: tr.getAttribute('data-campaign') ?? '',
            micros: Number(tr.getAttribute('data-spend-micros')),
            shown: tr.children[1]?.textContent ?? '',
          })),
        );
        return rows.find((row) => row.micros > 0) ?? null;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: 'a campaign with spend on the page' },
    );
    expect(spent.id).toContain(runId);
    expect(Number(spent.shown)).toBeCloseTo(spent.micros / 1e6, 4);
    // The screenshot shows the measured phase: both regions near the configured rate.
    await waitFor(
      async () => {
        const q = await readQps(page);
        return REGIONS.every((r) => (q[r]?.y.at(-1) ?? 0) >= RATE / 2);
      },
      { timeoutMs: 60_000, intervalMs: 250, what: `both regions at ${String(RATE / 2)}+ req/s` },
    );

    const shot = join(ROOT, 'loadtest', 'reports', runId, 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    process.stdout.write(`dashboard screenshot: ${shot}\n`);
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
  }, 240_000);

  it('is stopped with everything else when the load test ends', async () => {
    await waitFor(() => loadtest.exitCode !== null, {
      timeoutMs: 240_000,
      intervalMs: 500,
      what: 'the load test finishing',
    });
    expect([0, 1]).toContain(await exited);
    expect(out).toContain('"run_id"');
    expect(existsSync(join(ROOT, 'loadtest', 'reports', runId, 'report.html'))).toBe(true);
    await expect(fetch(url)).rejects.toThrow();
  }, 300_000);

  it('draws every chart of the load test’s HTML report, and the run’s delivery from ClickHouse', async () => {
    await waitFor(() => loadtest.exitCode !== null, {
      timeoutMs: 240_000,
      intervalMs: 500,
      what: 'the load test finishing',
    });
    const report = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await report.goto(pathToFileURL(join(ROOT, 'loadtest', 'reports', runId, 'report.html')).href);
    // Every chart: its SVG laid out, and its marks drawn (lines of non-zero length, bars of
    // non-zero height; a legend swatch is a rect without a <title>, so it does not count).
    const charts = await report.$$eval('figure', (figures) =>
      figures.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const lines = [...(svg?.querySelectorAll('path') ?? [])].filter(
          (p) => p.getTotalLength() > 0,
        ).length;
        const bars = [...(svg?.querySelectorAll('rect') ?? [])].filter(
          (r) => r.querySelector('title') !== null && r.getBBox().height > 0,
        ).length;
        return {
          title: f.querySelector('figcaption')?.textContent ?? '',
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          lines,
          bars,
        };
      }),
    );
    expect(charts.map((c) => c.title)).toEqual([
      expect.stringContaining('Latency over time'),
      'Completed requests per second',
      'Latency percentile curve',
      expect.stringContaining('Spend against budget'),
    ]);
    for (const c of charts) {
      expect(c.width, c.title).toBeGreaterThan(100);
      expect(c.height, c.title).toBeGreaterThan(100);
    }
    // One line per region in the line charts; budget and spend bars in the bar chart.
    for (const c of charts.slice(0, 3)) expect(c.lines, c.title).toBe(REGIONS.length);
    expect(charts[3]?.bars).toBeGreaterThan(1);
    const delivery = await report.$$eval('#delivery tr', (trs) =>
      trs.slice(1).map((tr) => ({
        campaign: tr.children[0]?.textContent ?? '',
        spend: Number(tr.children[2]?.textContent),
      })),
    );
    expect(delivery.some((d) => d.campaign.includes(runId) && d.spend > 0)).toBe(true);
  }, 300_000);
});
