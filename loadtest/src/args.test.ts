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
});
