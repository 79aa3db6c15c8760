import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from './args.js';

describe('loadtest flags', () => {
  it('reads rate, duration and warm-up, with a 10 s warm-up by default', () => {
    const a = parseArgs(['--regions', 'eu,us', '--rate', '1000', '--duration', '30']);
    expect(a.regions).toEqual(['eu', 'us']);
    expect(a.scenario).toMatchObject({ rate: 1000, durationS: 30, warmupS: 10 });
    expect(parseArgs(['--warmup', '0']).scenario.warmupS).toBe(0);
  });

  it('names the flag of a bad value', () => {
    expect(() => parseArgs(['--warmup', 'soon'])).toThrow(UsageError);
    expect(() => parseArgs(['--warmup', 'soon'])).toThrow(/--warmup/);
    expect(() => parseArgs(['--warmup', '9999'])).toThrow(/--warmup/);
    expect(() => parseArgs(['--rate', '-3'])).toThrow(/--rate/);
    expect(() => parseArgs(['--regions', 'mars'])).toThrow(/--regions/);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown flag --fast/);
  });

  it('runs a second-price auction by default and names a bad auction field of the scenario file', () => {
    expect(parseArgs([]).scenario).toMatchObject({
      auction: 'second-price',
      competingBid: { median: 4, sigma: 0.5 },
      checkShare: 1,
    });
    const dir = mkdtempSync(join(tmpdir(), 'lt-args-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ competingBidByRegion: { us: { median: -1, sigma: 0 } } }));
    expect(() => parseArgs(['--scenario', file])).toThrow(
      /--scenario \(competingBidByRegion\.us\.median\)/,
    );
    writeFileSync(file, JSON.stringify({ auction: 'vickrey' }));
    expect(() => parseArgs(['--scenario', file])).toThrow(/--scenario \(auction\)/);
  });
});

describe('loadtest --find-max flags', () => {
  it('steps from 100 req/s by 1.5 with 3 trials of 8 s by default', () => {
    expect(parseArgs(['--regions', 'eu,us', '--find-max']).findMax).toEqual({
      start: 100,
      factor: 1.5,
      maxRate: 3000,
      trials: 3,
      trialS: 8,
    });
    expect(
      parseArgs(['--find-max', '--trials', '5', '--step-s', '12', '--start', '50', '--step', '25'])
        .findMax,
    ).toMatchObject({ start: 50, step: 25, trials: 5, trialS: 12 });
    expect(parseArgs([]).findMax).toBeUndefined();
  });

  it('refuses find-max flags without --find-max, and a fixed rate with it', () => {
    expect(() => parseArgs(['--trials', '3'])).toThrow(/--trials: only with --find-max/);
    expect(() => parseArgs(['--find-max', '--rate', '100'])).toThrow(/--rate: not with --find-max/);
    expect(() => parseArgs(['--find-max', '--factor', '1'])).toThrow(/--factor/);
    expect(() => parseArgs(['--find-max', '--trials', '2.5'])).toThrow(/--trials/);
    expect(() => parseArgs(['--find-max', '--start', '500', '--max-rate', '100'])).toThrow(
      /--max-rate/,
    );
  });

  it('turns on GC logs of the apps with --gc-logs', () => {
    expect(parseArgs(['--gc-logs']).gcLogs).toBe(true);
    expect(parseArgs([]).gcLogs).toBe(false);
  });
});

describe('loadtest --port-offset', () => {
  it('shifts the app ports by a whole number, 0 by default', () => {
    expect(parseArgs(['--port-offset', '4000']).portOffset).toBe(4000);
    expect(parseArgs([]).portOffset).toBe(0);
    expect(() => parseArgs(['--port-offset', '2.5'])).toThrow(/--port-offset/);
    expect(() => parseArgs(['--port-offset', '60000'])).toThrow(/--port-offset/);
  });
});

describe('scenario files with named scenarios and threshold expressions', () => {
  const write = (body: unknown): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'lt-sc-')), 'sc.json');
    writeFileSync(file, JSON.stringify(body));
    return file;
  };
  const ctv = {
    executor: 'ramping-arrival-rate',
    startTime: 5,
    stages: [
      { duration: 10, target: 40 },
      { duration: 10, target: 40 },
    ],
    media: 'video',
    device: 'ctv',
    tags: { media: 'video' },
  };
  const banner = { executor: 'constant-arrival-rate', rate: 50, duration: 20 };

  it('derives the phase from the scenarios and keeps every shipped example valid', () => {
    const a = parseArgs(['--scenario', write({ scenarios: { ctv, banner } })]);
    expect(a.scenario.durationS).toBe(25);
    // The busiest region's mean rate: the ramp from 0 (200 + 400) and 1000 requests over 25 s.
    expect(a.scenario.rate).toBe(64);
    expect(a.scenario.scenarios['ctv']?.startTime).toBe(5);
    for (const f of ['mixed', 'ramp', 'spike', 'soak'])
      expect(() => parseArgs(['--scenario', `loadtest/scenarios/${f}.json`])).not.toThrow();
    const mixed = parseArgs(['--scenario', 'loadtest/scenarios/mixed.json']).scenario;
    expect(Object.keys(mixed.scenarios).length).toBeGreaterThanOrEqual(3);
    expect(mixed.durationS).toBeLessThanOrEqual(40);
  });

  it('names the field path of a bad scenario', () => {
    const bad = {
      ...ctv,
      stages: [
        { duration: 10, target: 40 },
        { duration: 5, target: -1 },
      ],
    };
    expect(() => parseArgs(['--scenario', write({ scenarios: { ctv: bad } })])).toThrow(
      /--scenario \(scenarios\.ctv\.stages\.1\.target\)/,
    );
    const noRate = { executor: 'constant-arrival-rate', duration: 5 };
    expect(() => parseArgs(['--scenario', write({ scenarios: { b: noRate } })])).toThrow(
      /--scenario \(scenarios\.b\.rate\): constant-arrival-rate needs a rate/,
    );
    const extra = { ...banner, rampUp: 3 };
    expect(() => parseArgs(['--scenario', write({ scenarios: { b: extra } })])).toThrow(
      /--scenario \(scenarios\.b\)/,
    );
    const tag = { ...banner, tags: { region: 'eu' } };
    expect(() => parseArgs(['--scenario', write({ scenarios: { b: tag } })])).toThrow(
      /scenarios\.b\.tags\.region/,
    );
    expect(() => parseArgs(['--scenario', write({ scenarios: { 'Bad Name': banner } })])).toThrow(
      /--scenario \(scenarios\.Bad Name\)/,
    );
  });

  it('refuses a scenario named __proto__ rather than dropping it, and an infinite rate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lt-sc-'));
    const proto = join(dir, 'proto.json');
    writeFileSync(
      proto,
      '{"scenarios": {"__proto__": {"executor": "constant-arrival-rate", "rate": 5, "duration": 5}}}',
    );
    expect(() => parseArgs(['--scenario', proto])).toThrow(/__proto__ is not allowed/);
    const inf = join(dir, 'inf.json');
    writeFileSync(
      inf,
      '{"scenarios": {"a": {"executor": "constant-arrival-rate", "rate": 1e999, "duration": 5}}}',
    );
    expect(() => parseArgs(['--scenario', inf])).toThrow(/--scenario \(scenarios\.a\.rate\)/);
  });

  it('refuses a fixed rate, a duration or --find-max beside named scenarios', () => {
    const file = write({ scenarios: { banner } });
    expect(() => parseArgs(['--scenario', file, '--rate', '100'])).toThrow(/--rate: not with/);
    expect(() => parseArgs(['--scenario', file, '--find-max'])).toThrow(/--find-max/);
    expect(() => parseArgs(['--scenario', write({ rate: 5, scenarios: { banner } })])).toThrow(
      /--scenario \(rate\)/,
    );
  });

  it('reads a list of threshold expressions, and still the old object form', () => {
    const list = ['p99_ms{region:us,scenario:ctv} < 30', 'double_bills == 0'];
    const a = parseArgs(['--scenario', write({ scenarios: { ctv }, thresholds: list })]);
    expect(a.scenario.thresholdExprs.map((e) => e.text)).toEqual(list);
    expect(a.scenario.thresholds.p99Ms).toBe(50);
    const old = parseArgs(['--scenario', write({ thresholds: { p99Ms: 20 } })]).scenario;
    expect(old.thresholds.p99Ms).toBe(20);
    expect(old.thresholdExprs).toEqual([]);
  });

  it('makes a bad threshold expression a usage error naming it', () => {
    const bad = (thresholds: string[]) => () =>
      parseArgs(['--scenario', write({ scenarios: { ctv }, thresholds })]);
    expect(bad(['double_bills == 0', 'p99_ms{region:us < 30'])).toThrow(UsageError);
    expect(bad(['double_bills == 0', 'p99_ms{region:us < 30'])).toThrow(
      /--scenario \(thresholds\.1\): bad threshold "p99_ms\{region:us < 30"/,
    );
    expect(bad(['p99_ms{scenario:cvt} < 30'])).toThrow(/names scenario cvt; the run has ctv/);
    expect(bad(['p99_ms{region:ap} < 30'])).toThrow(/names region ap; the run drives eu, us/);
    expect(bad(['wins > 3'])).toThrow(/unknown metric wins/);
  });
});
