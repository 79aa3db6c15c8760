import { describe, expect, it } from 'vitest';
import { CLICK_COLUMNS, FeatureExtractor, IMPRESSION_COLUMNS } from '../domain/features.js';
import { tsvEscape, tsvLine } from './tsv.js';

describe('tsvEscape', () => {
  it('escapes backslash, tab, newline and carriage return and leaves the rest alone', () => {
    expect(tsvEscape('plain é ✓ "quoted" \'x\'')).toBe('plain é ✓ "quoted" \'x\'');
    expect(tsvEscape('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(tsvEscape('\\t')).toBe('\\\\t');
    expect(tsvEscape('')).toBe('');
  });
});

describe('tsvLine', () => {
  it('writes the columns in order, numbers as decimals, one line per row', () => {
    const row = { a: 'x\ty', b: -1, c: 1_700_000_000_000 };
    expect(tsvLine(['c', 'a', 'b'], row)).toBe('1700000000000\tx\\ty\t-1\n');
  });

  it('covers every column of click and impression rows', () => {
    const fx = new FeatureExtractor();
    const e = {
      eventId: 'e',
      ts: 1,
      region: 'eu',
      bidId: 'b',
      campaignId: 'c',
      creativeId: 'r',
    } as const;
    const src = { topic: 't', partition: 0, offset: '0' };
    expect([...CLICK_COLUMNS].sort()).toEqual(Object.keys(fx.click(e, src)).sort());
    expect([...IMPRESSION_COLUMNS].sort()).toEqual(
      Object.keys(fx.impression({ ...e, requestId: 'q' }, src)).sort(),
    );
  });
});
