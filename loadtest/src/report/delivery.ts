import { spawn } from 'node:child_process';
import { z } from 'zod';
import type { Summary } from '../summary.js';
import { esc } from './svg.js';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** The fields of `npm run report -- delivery --format json` the HTML report shows. */
const deliverySchema = z.object({
  rows: z.array(
    z.object({
      key: z.string(),
      bids: z.number(),
      wins: z.number(),
      impressions: z.number(),
      clicks: z.number(),
      spend_micros: z.number().int(),
      pacing: z.number().nullable(),
    }),
  ),
  totals: z.object({ spend_micros: z.number().int() }),
});

/** A run's delivery by campaign, from ClickHouse; or why it could not be had. */
export type Delivery =
  | { ok: true; rows: z.infer<typeof deliverySchema>['rows']; spendMicros: number }
  | { ok: false; reason: string };

/** The command that prints a run's delivery by campaign (its last line is the JSON). */
export function deliveryCommand(runId: string, reportsDir: string): string[] {
  return [
    'apps/clickfraud/src/report/cli.ts',
    'delivery',
    '--run',
    runId,
    '--reports',
    reportsDir,
    '--by',
    'campaign',
    '--format',
    'json',
    '--limit',
    '1000',
  ];
}

/**
 * Runs `npm run report -- delivery --run <id> --by campaign` as a child process (the load test
 * does not import an app): it loads the run's streams into ClickHouse and reports from there.
 * Never throws: a failure becomes the reason the HTML report prints instead of the table.
 */
export function loadDelivery(
  runId: string,
  reportsDir: string,
  timeoutMs = 120_000,
): Promise<Delivery> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@streambid/source', '--import', 'tsx', ...deliveryCommand(runId, reportsDir)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: e.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = out.trimEnd().split('\n').pop() ?? '';
      if (code !== 0) {
        const why = err.trim().split('\n').pop() ?? '';
        resolve({ ok: false, reason: `report exited ${String(code)}: ${why}` });
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(last);
      } catch {
        resolve({ ok: false, reason: 'report printed no JSON line' });
        return;
      }
      const parsed = deliverySchema.safeParse(json);
      resolve(
        parsed.success
          ? { ok: true, rows: parsed.data.rows, spendMicros: parsed.data.totals.spend_micros }
          : { ok: false, reason: `report JSON: ${parsed.error.issues[0]?.message ?? 'invalid'}` },
      );
    });
  });
}

/** One row of the delivery table: a campaign's spend in ClickHouse against its budget. */
export interface DeliveryLine {
  campaign: string;
  budgetMicros: number | null;
  spendMicros: number;
  /** Spend over budget (0..), null without a budget. */
  spentShare: number | null;
  bids: number;
  wins: number;
  impressions: number;
  clicks: number;
  pacing: number | null;
}

/** Joins ClickHouse's rows with the run's budgets, largest spend first. */
export function deliveryLines(
  rows: Extract<Delivery, { ok: true }>['rows'],
  campaigns: Summary['campaigns'],
): DeliveryLine[] {
  const budgets = new Map(campaigns.map((c) => [c.id, c.budget_micros]));
  return rows
    .map((r) => {
      const budget = budgets.get(r.key) ?? null;
      return {
        campaign: r.key,
        budgetMicros: budget,
        spendMicros: r.spend_micros,
        spentShare: budget !== null && budget > 0 ? r.spend_micros / budget : null,
        bids: r.bids,
        wins: r.wins,
        impressions: r.impressions,
        clicks: r.clicks,
        pacing: r.pacing,
      };
    })
    .sort((a, b) => b.spendMicros - a.spendMicros || a.campaign.localeCompare(b.campaign));
}

const usd = (micros: number): string => (micros / 1e6).toFixed(2);

/** The HTML section of the run's delivery from ClickHouse: spend against budget per campaign. */
export function renderDelivery(campaigns: Summary['campaigns'], delivery: Delivery | null): string {
  if (delivery === null) return '';
  const head = '<h2>Delivery from ClickHouse (<code>npm run report -- delivery --run</code>)</h2>';
  if (!delivery.ok) return `${head}<p class="note">Not available: ${esc(delivery.reason)}</p>`;
  const lines = deliveryLines(delivery.rows, campaigns);
  const topicSpend = campaigns.reduce((a, c) => a + c.spend_micros, 0);
  const cells = (cs: (string | number | null)[]): string =>
    `<tr>${cs.map((c) => `<td>${esc(String(c ?? '–'))}</td>`).join('')}</tr>`;
  const rows = lines
    .map((l) =>
      cells([
        l.campaign,
        l.budgetMicros === null ? null : usd(l.budgetMicros),
        usd(l.spendMicros),
        l.spentShare === null ? null : `${(l.spentShare * 100).toFixed(1)} %`,
        l.bids,
        l.wins,
        l.impressions,
        l.clicks,
        l.pacing,
      ]),
    )
    .join('');
  return `${head}<p>Spend in ClickHouse ${esc(usd(delivery.spendMicros))}, in the spend topics ${esc(usd(topicSpend))} (campaign currency units).</p>
<table id="delivery"><tr><th>campaign</th><th>budget</th><th>spend</th><th>of budget</th><th>bids</th><th>wins</th><th>impressions</th><th>clicks</th><th>pacing</th></tr>${rows}</table>`;
}
