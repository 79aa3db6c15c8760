import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { silentLogger, type ClickHouseClient } from '@streambid/adapters';
import { REQUEST_IVT_REASONS } from '@streambid/reference-data';
import { endpoints, testClickHouse, testKafka } from '@streambid/testkit/services';
import { ALL_BOT_CLASSES, HARD_BOT_PATTERNS } from '@streambid/traffic';
import { REASONS } from '../domain/rules.js';
import { exitCodeFor } from '../eval/goals.js';
import { runEvaluation, type EvalReport } from '../eval/run.js';
import { summaryJson } from '../eval/summary.js';

interface Figures {
  precision: number;
  recall: number;
}
interface Summary extends Figures {
  prebid_share: number;
  by_class: Record<string, Figures & { goal_met: boolean; hard: boolean; prebid_recall: number }>;
  by_signal: { postclick: Record<string, Figures>; prebid: Record<string, Figures> };
  prebid_vs_postclick: Record<'both' | 'prebid_only' | 'postclick_only' | 'neither', number>;
  goals: { met: boolean; misses: string[] };
  label_noise: { share: number; flipped_clicks: number };
  ground_truth: Figures & { by_class: Record<string, Figures & { prebid_recall: number }> };
}

describe('eval:fraud on the easy and hard classes with label noise', () => {
  let kafka: Kafka;
  let ch: ClickHouseClient;
  let report: EvalReport;
  let json: Summary;

  beforeAll(async () => {
    kafka = testKafka('eu');
    ch = testClickHouse();
    report = await runEvaluation({
      kafka,
      ch,
      clickhouseUrl: endpoints().clickhouse,
      logger: silentLogger(),
      traffic: {
        seed: 19,
        humanImpressions: 40_000,
        humanTiming: 'realistic',
        labelNoise: 0.02,
        bots: Object.fromEntries(ALL_BOT_CLASSES.map((c) => [c, 80])),
      },
    });
    json = JSON.parse(JSON.stringify(summaryJson(report, 0))) as Summary;
  }, 150_000);
  afterAll(async () => {
    await ch.close();
  });

  it('reports precision and recall overall, per class and per signal, and the pre-bid share', () => {
    expect(report.unscored).toBe(0);
    for (const k of ['precision', 'recall', 'prebid_share'] as const) {
      expect(json[k]).toBeGreaterThan(0);
      expect(json[k]).toBeLessThanOrEqual(1);
    }
    expect(Object.keys(json.by_class).sort()).toEqual([...ALL_BOT_CLASSES].sort());
    for (const f of Object.values(json.by_class)) {
      expect(typeof f.precision).toBe('number');
      expect(typeof f.recall).toBe('number');
      expect(typeof f.goal_met).toBe('boolean');
    }
    expect(Object.keys(json.by_signal.postclick)).toEqual([...REASONS]);
    expect(Object.keys(json.by_signal.prebid)).toEqual([...REQUEST_IVT_REASONS]);
  });

  it('catches the easy classes and refuses data-centre and declared bots before the bid', () => {
    const truth = json.ground_truth;
    expect(truth.precision).toBeGreaterThanOrEqual(0.95);
    for (const c of ['datacentre', 'declared_bot', 'injection', 'ip_burst', 'no_impression'])
      expect(truth.by_class[c]?.recall, c).toBeGreaterThanOrEqual(0.9);
    expect(truth.by_class['datacentre']?.prebid_recall).toBe(1);
    expect(truth.by_class['declared_bot']?.prebid_recall).toBe(1);
    for (const c of HARD_BOT_PATTERNS) expect(truth.by_class[c]?.prebid_recall, c).toBe(0);
    expect(json.by_signal.prebid['datacentre']?.precision).toBeGreaterThan(0.9);
    // Everything refused before the bid is also caught after the click (the rules share the data).
    expect(json.prebid_vs_postclick.prebid_only).toBe(0);
    expect(json.prebid_vs_postclick.both).toBeGreaterThan(0);
  });

  it('reports every class under the recall goal as a miss, and exits 1 on one only when strict', () => {
    expect(json.label_noise.share).toBe(0.02);
    expect(json.label_noise.flipped_clicks).toBeGreaterThan(0);
    const missed = Object.entries(json.by_class).filter(([, f]) => f.recall < 0.8);
    for (const [c, f] of Object.entries(json.by_class)) expect(f.goal_met, c).toBe(f.recall >= 0.8);
    for (const [c] of missed)
      expect(
        json.goals.misses.some((m) => m.includes(c)),
        c,
      ).toBe(true);
    expect(json.goals.met).toBe(json.goals.misses.length === 0);
    expect(exitCodeFor(report.judged, false)).toBe(0);
    expect(exitCodeFor(report.judged, true)).toBe(json.goals.met ? 0 : 1);
  });
});
