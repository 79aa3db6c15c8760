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
