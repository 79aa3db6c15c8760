import { describe, expect, it } from 'vitest';
import type { Summary } from '../summary.js';
import { deliveryLines, renderDelivery, type Delivery } from './delivery.js';

const campaigns = [
  { id: 'c1', budget_micros: 2_000_000, spend_micros: 1_000_000 },
  { id: 'c2', budget_micros: 4_000_000, spend_micros: 0 },
] as Summary['campaigns'];

const row = (key: string, spend: number) => ({
  key,
  bids: 10,
  wins: 4,
  impressions: 3,
  clicks: 1,
  spend_micros: spend,
  pacing: 0.5,
});

describe('delivery in the load-test report', () => {
  it('sets each campaign’s ClickHouse spend against its budget, largest spend first', () => {
    const lines = deliveryLines(
      [row('c2', 1_000_000), row('c1', 1_500_000), row('cx', 5)],
      campaigns,
    );
    expect(lines.map((l) => [l.campaign, l.spentShare])).toEqual([
      ['c1', 0.75],
      ['c2', 0.25],
      ['cx', null],
    ]);
  });

  it('renders the delivery table, or the reason it is missing, into the HTML', () => {
    const ok: Delivery = { ok: true, rows: [row('c1', 1_500_000)], spendMicros: 1_500_000 };
    const html = renderDelivery(campaigns, ok);
    expect(html).toContain('<table id="delivery">');
    expect(html).toContain('<td>c1</td><td>2.00</td><td>1.50</td><td>75.0 %</td>');
    expect(html).toContain('Spend in ClickHouse 1.50, in the spend topics 1.00');
    const failed = renderDelivery(campaigns, {
      ok: false,
      reason: 'report exited 1: <boom>',
    });
    expect(failed).toContain('Not available: report exited 1: &lt;boom&gt;');
    expect(renderDelivery(campaigns, null)).toBe('');
  });
});
