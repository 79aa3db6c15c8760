import { describe, expect, it } from 'vitest';
import { RecentWins } from './recent-wins.js';

describe('RecentWins', () => {
  it('counts repeated wins per user and campaign and keeps a win alive from the latest one', () => {
    const r = new RecentWins(10, 1000);
    r.record('u', 'c', 0);
    r.record('u', 'c', 900);
    expect(r.count('u', 'c', 1500)).toBe(2);
    expect(r.count('u', 'other', 1500)).toBe(0);
    expect(r.count('u', 'c', 1900)).toBe(0);
  });

  it('drops the least recently won entry when full', () => {
    const r = new RecentWins(2, 60_000);
    r.record('a', 'c', 0);
    r.record('b', 'c', 1);
    r.record('a', 'c', 2); // a is now the most recent
    r.record('d', 'c', 3);
    expect(r.count('b', 'c', 4)).toBe(0);
    expect(r.count('a', 'c', 4)).toBe(2);
    expect(r.count('d', 'c', 4)).toBe(1);
  });
});
