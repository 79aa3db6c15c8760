import { describe, expect, it } from 'vitest';
import type { TrafficLabel } from '@streambid/traffic';
import { breakdown, type ClickOutcome } from './breakdown.js';
import { exitCodeFor, GOALS, judge } from './goals.js';
import { clickOutcomes } from './run.js';

/** `n` copies of one outcome. */
function many(n: number, o: Partial<ClickOutcome> & { truth: TrafficLabel }): ClickOutcome[] {
  return Array.from({ length: n }, () => ({
    noisy: o.truth,
    postclick: false,
    reasons: [],
    prebid: undefined,
    ...o,
  }));
}

// 100 people (4 flagged by a timing rule), 50 data-centre bots (all refused before the bid, 45
// flagged after the click), 20 low-and-slow bots (5 flagged by a cookie rule).
const mix: ClickOutcome[] = [
  ...many(96, { truth: 'human' }),
  ...many(4, { truth: 'human', postclick: true, reasons: ['click_injection'] }),
  ...many(45, {
    truth: 'datacentre',
    postclick: true,
    reasons: ['datacenter_ip'],
    prebid: 'datacentre',
  }),
  ...many(5, { truth: 'datacentre', prebid: 'datacentre' }),
  ...many(5, { truth: 'low_and_slow', postclick: true, reasons: ['cookie_clicks'] }),
  ...many(15, { truth: 'low_and_slow' }),
];

describe('evaluation breakdown', () => {
  const b = breakdown(mix, 'truth');

  it('counts overall precision and recall of the post-click score', () => {
    expect(b.true_positives).toBe(50);
    expect(b.false_positives).toBe(4);
    expect(b.false_negatives).toBe(20);
    expect(b.precision).toBe(0.9259);
    expect(b.recall).toBe(0.7143);
  });

  it('gives each class its recall and its precision against the people alone', () => {
    expect(b.by_class['datacentre']).toEqual({
      clicks: 50,
      precision: 0.9184, // 45 / (45 + 4)
      recall: 0.9,
      prebid_recall: 1,
      combined_recall: 1,
    });
    expect(b.by_class['low_and_slow']).toMatchObject({
      clicks: 20,
      precision: 0.5556, // 5 / (5 + 4)
      recall: 0.25,
      prebid_recall: 0,
      combined_recall: 0.25,
    });
    expect(Object.keys(b.by_class)).toEqual(['datacentre', 'low_and_slow']);
  });

  it('scores every post-click and pre-bid signal as a detector of its own', () => {
    expect(b.by_signal.postclick.click_injection).toEqual({ precision: 0, recall: 0, flagged: 4 });
    expect(b.by_signal.postclick.datacenter_ip).toEqual({
      precision: 1,
      recall: 0.6429,
      flagged: 45,
    });
    expect(b.by_signal.postclick.ip_burst).toEqual({ precision: 0, recall: 0, flagged: 0 });
    expect(b.by_signal.prebid.datacentre).toEqual({ precision: 1, recall: 0.7143, flagged: 50 });
    expect(Object.keys(b.by_signal.prebid)).toEqual([
      'invalid_ip',
      'datacentre',
      'bot_ua',
      'non_browser',
    ]);
  });

  it('sets pre-bid refusals against post-click detection', () => {
    expect(b.prebid_share).toBe(0.7143);
    expect(b.prebid_vs_postclick).toEqual({
      both: 45,
      prebid_only: 5,
      postclick_only: 5,
      neither: 15,
    });
    expect(b.combined.recall).toBe(0.7857);
  });

  it('measures against the noisy labels when asked, so label noise costs precision and recall', () => {
    // A missed person labelled a bot, a caught data-centre bot labelled a person.
    const noisy = mix.map((x, i) =>
      i === 0
        ? { ...x, noisy: 'low_and_slow' as const }
        : i === 100
          ? { ...x, noisy: 'human' as const }
          : x,
    );
    const n = breakdown(noisy, 'noisy');
    expect(n.by_class['low_and_slow']?.clicks).toBe(21);
    expect(n.by_class['datacentre']?.clicks).toBe(49);
    expect([n.true_positives, n.false_positives, n.false_negatives]).toEqual([49, 5, 21]);
    expect(n.precision).toBeLessThan(b.precision);
    expect(n.recall).toBeLessThan(b.recall);
    expect(breakdown(noisy, 'truth')).toEqual(b);
  });

  it('counts a click that was never scored as missed', () => {
    const r = breakdown([...many(1, { truth: 'injection', postclick: undefined })], 'truth');
    expect(r.recall).toBe(0);
    expect(r.false_negatives).toBe(1);
  });
});

describe('evaluation goals', () => {
  it('reports each class below the recall goal and a precision below its goal as misses', () => {
    const j = judge(breakdown(mix, 'truth'));
    expect(j.by_class['datacentre']).toMatchObject({ goal_met: true, hard: false });
    expect(j.by_class['low_and_slow']).toMatchObject({ goal_met: false, hard: true });
    expect(j.goals).toEqual({
      precision: GOALS.precision,
      class_recall: GOALS.classRecall,
      precision_met: false,
      met: false,
      misses: ['precision 0.9259 < 0.95', 'recall of low_and_slow (hard) 0.25 < 0.8'],
    });
  });

  it('exits 0 on a miss unless strict, and 0 when every goal is met', () => {
    const missed = judge(breakdown(mix, 'truth'));
    expect(exitCodeFor(missed, false)).toBe(0);
    expect(exitCodeFor(missed, true)).toBe(1);
    const clean = judge(
      breakdown(
        mix.filter((x) => x.truth === 'datacentre'),
        'truth',
      ),
    );
    expect(clean.goals.met).toBe(true);
    expect(exitCodeFor(clean, true)).toBe(0);
  });
});

describe('click outcomes', () => {
  it('judges each click pre-bid from its own request and takes the post-click score by id', () => {
    const event = (eventId: string, ip: string, ua: string) => ({
      eventId,
      ts: 1,
      region: 'eu' as const,
      bidId: 'b',
      campaignId: 'c',
      creativeId: 'cr',
      ip,
      ua,
      siteDomain: 'site.example',
    });
    const chrome =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/124.0.0.0 Safari/537.36';
    const o = clickOutcomes(
      {
        clicks: [
          { label: 'human', noisyLabel: 'human', event: event('a', '81.2.69.142', chrome) },
          { label: 'datacentre', noisyLabel: 'human', event: event('b', '3.80.1.1', chrome) },
          {
            label: 'declared_bot',
            noisyLabel: 'declared_bot',
            event: event('c', '81.2.69.1', 'curl/8.5.0'),
          },
        ],
      },
      new Map([['b', { invalid: true, reasons: ['datacenter_ip'] }]]),
    );
    expect(o.map((x) => x.prebid)).toEqual([undefined, 'datacentre', 'bot_ua']);
    expect(o.map((x) => x.postclick)).toEqual([undefined, true, undefined]);
    expect(o[1]).toMatchObject({ truth: 'datacentre', noisy: 'human', reasons: ['datacenter_ip'] });
  });
});
