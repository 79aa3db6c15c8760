import { describe, expect, it } from 'vitest';
import { blocklistEntries, DEFAULT_BLOCK_POLICY, type EntityScore } from './blocklist.js';

const score = (kind: EntityScore['kind'], value: string, clicks: number): EntityScore => ({
  kind,
  value,
  clicks,
  invalidClicks: clicks,
  reasons: ['bot_ua'],
});

describe('blocklist entries under normalised keys', () => {
  it('writes each entity under the key the bidder checks, merging spellings of one entity', () => {
    const entries = blocklistEntries(
      [
        score('site', 'Bad.Example.', 12),
        score('site', 'bad.example', 12),
        score('ip', '::ffff:198.51.100.9', 5),
        score('subnet', '198.51.100.7/24', 20),
        score('app', ' com.bad.app ', 20),
      ],
      1000,
      DEFAULT_BLOCK_POLICY,
    );
    expect(entries.map((e) => `${e.kind}:${e.value}`).sort()).toEqual([
      'app:com.bad.app',
      'ip:198.51.100.9',
      'site:bad.example', // 12 + 12 clicks: over the 20 a site needs only once merged
      'subnet:198.51.100.0/24',
    ]);
  });
});
