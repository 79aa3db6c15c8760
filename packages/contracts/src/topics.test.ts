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
      'spend-totals',
    ]);
  });

  it('replicates money and blocklist topics everywhere and analytics topics to the analytics region', () => {
    for (const t of [TOPICS.campaigns, TOPICS.budget, TOPICS.spend, TOPICS.fraudBlocklist])
      expect(t.replicate).toBe('all');
    for (const t of [TOPICS.clicks, TOPICS.impressions]) expect(t.replicate).toBe('analytics');
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
