import { describe, expect, it } from 'vitest';
import { catalogue, TOPIC_LIST, TOPICS } from './topics.js';
import { logicalTopicName, remoteTopicName, topicWithRemotes } from './topic.js';
import { parseRegionList } from './regions.js';

describe('topic catalogue', () => {
  it('declares the compacted topics as compacted and the event streams as delete', () => {
    const compacted = TOPIC_LIST.filter((t) => t.cleanup === 'compact')
      .map((t) => t.name)
      .sort();
    expect(compacted).toEqual([
      'billing-acks',
      'budget',
      'campaigns',
      'fraud-blocklist',
      'reference-bots',
      'reference-datacentre',
      'reference-sellers',
      'spend-totals',
    ]);
  });

  it('replicates money and blocklist topics everywhere and analytics topics to the analytics region', () => {
    for (const t of [TOPICS.campaigns, TOPICS.budget, TOPICS.spend, TOPICS.fraudBlocklist])
      expect(t.replicate).toBe('all');
    for (const t of [TOPICS.referenceBots, TOPICS.referenceDatacentre, TOPICS.referenceSellers])
      expect(t.replicate).toBe('all');
    for (const t of [TOPICS.clicks, TOPICS.impressions]) expect(t.replicate).toBe('analytics');
  });

  it('keys reference data by version, so compaction keeps every version of a list', () => {
    const head = { eventId: 'e', ts: 1, effectiveFrom: 0 };
    const v = (version: number) => ({ ...head, version });
    expect(TOPICS.referenceBots.keyOf({ ...v(3), patterns: [] })).toBe('v3');
    expect(TOPICS.referenceDatacentre.keyOf({ ...v(4), ranges: [] })).toBe('v4');
    expect(TOPICS.referenceSellers.keyOf({ ...v(2), asi: 'SSP.example', sellers: [] })).toBe(
      'ssp.example:v2',
    );
    expect(TOPICS.referenceBots.keyOf({ ...v(3), patterns: [] })).not.toBe(
      TOPICS.referenceBots.keyOf({ ...v(4), patterns: [] }),
    );
  });

  it('refuses a bot pattern that is no regular expression and a range that is no CIDR', () => {
    const head = { eventId: 'e', ts: 1, version: 1, effectiveFrom: 0 };
    expect(TOPICS.referenceBots.schema.safeParse({ ...head, patterns: ['ok', '(['] }).success).toBe(
      false,
    );
    const range = (cidr: string) =>
      TOPICS.referenceDatacentre.schema.safeParse({ ...head, ranges: [{ cidr, provider: 'x' }] });
    expect(range('3.80.0.0/12').success).toBe(true);
    expect(range('3.80.0.0').success).toBe(false);
  });

  it('gives every topic a unique name', () => {
    const names = TOPIC_LIST.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('prefixes every topic name under a namespace and keeps the schema', () => {
    const c = catalogue('t-1-');
    expect(c.spend.name).toBe('t-1-spend');
    expect(c.spend.schema).toBe(TOPICS.spend.schema);
    expect(catalogue('')).toBe(TOPICS);
  });
});

describe('remote topic names', () => {
  it('matches the local topic and one-hop remote copies but not cyclic ones', () => {
    const re = topicWithRemotes('spend');
    expect(re.test('spend')).toBe(true);
    expect(re.test(remoteTopicName('us', 'spend'))).toBe(true);
    expect(re.test('eu.us.spend')).toBe(false);
    expect(re.test('spend2')).toBe(false);
  });

  it('splits a remote topic into its source region and logical name', () => {
    expect(logicalTopicName('us.spend')).toEqual({ topic: 'spend', sourceRegion: 'us' });
    expect(logicalTopicName('user-events')).toEqual({ topic: 'user-events', sourceRegion: null });
  });
});

describe('parseRegionList', () => {
  it('accepts known regions and refuses unknown or repeated ones', () => {
    expect(parseRegionList('eu, us')).toEqual(['eu', 'us']);
    expect(parseRegionList('eu,xx')).toBeNull();
    expect(parseRegionList('eu,eu')).toBeNull();
    expect(parseRegionList('')).toBeNull();
  });
});
