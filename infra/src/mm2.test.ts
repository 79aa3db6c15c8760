import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { flowTopics, flows, mm2Properties, mm2Service } from './mm2.js';
import { parsePorts } from './ports.js';

// MirrorMaker's DefaultTopicFilter requires the whole name to match the regex.
const matches = (regex: string, topic: string) => new RegExp(`^(?:${regex})$`).test(topic);

describe('MirrorMaker 2 configuration', () => {
  it('runs a flow in each direction between every pair of regions', () => {
    expect(flows(['eu', 'us', 'ap'])).toHaveLength(6);
    expect(flows(['eu', 'us'])).toEqual([
      ['eu', 'us'],
      ['us', 'eu'],
    ]);
  });

  it('sends shared state to every region and analytics streams only to eu', () => {
    for (const t of ['campaigns', 'budget', 'spend', 'fraud-blocklist']) {
      expect(matches(flowTopics('us'), t)).toBe(true);
      expect(matches(flowTopics('eu'), t)).toBe(true);
    }
    for (const t of ['clicks', 'impressions', 'wins']) {
      expect(matches(flowTopics('eu'), t)).toBe(true);
      expect(matches(flowTopics('us'), t)).toBe(false);
      expect(matches(flowTopics('ap'), t)).toBe(false);
    }
    for (const t of ['bids', 'user-events', 'dead-letter'])
      expect(matches(flowTopics('eu'), t)).toBe(false);
  });

  it('accepts a test namespace prefix but never a remote copy, so nothing is replicated twice', () => {
    expect(matches(flowTopics('us'), 't-3f2a9c01bd-spend')).toBe(true);
    expect(matches(flowTopics('us'), 'bidder-t-3f2a9c-campaigns')).toBe(true);
    expect(matches(flowTopics('eu'), 'us.spend')).toBe(false);
    expect(matches(flowTopics('eu'), 'us.t-3f2a9c01bd-clicks')).toBe(false);
    expect(matches(flowTopics('ap'), 'eu.campaigns')).toBe(false);
  });

  it('reads each source cluster through its delay proxy, with single-node replication factors', () => {
    const props = mm2Properties(['eu', 'us'], parsePorts({}));
    expect(props).toContain('clusters=eu,us');
    expect(props).toContain('eu.bootstrap.servers=127.0.0.1:9092');
    for (const role of ['cluster', 'consumer', 'producer', 'admin']) {
      expect(props).toContain(`eu->us.source.${role}.bootstrap.servers=127.0.0.1:9112`);
    }
    expect(props).toContain('us->eu.source.cluster.bootstrap.servers=127.0.0.1:9212');
    expect(props).toContain('eu->us.enabled=true');
    expect(props).toContain('us->eu.enabled=true');
    for (const key of [
      'replication.factor',
      'checkpoints.topic.replication.factor',
      'heartbeats.topic.replication.factor',
      'offset-syncs.topic.replication.factor',
      'offset.storage.replication.factor',
      'config.storage.replication.factor',
      'status.storage.replication.factor',
    ]) {
      expect(props).toMatch(new RegExp(`^${key.replaceAll('.', '\\.')}=1$`, 'm'));
    }
    expect(props).toMatch(/^sync\.group\.offsets\.enabled=true$/m);
    expect(props).toMatch(/^heartbeats\.replication\.enabled=false$/m);
  });
});

describe('MirrorMaker 2 started from another checkout', () => {
  it('is not started a second time: start refuses and names the running pid', async () => {
    // A stand-in whose command line names MirrorMaker's main class, as another checkout's would.
    const other = spawn(
      process.execPath,
      ['-e', 'setTimeout(() => {}, 60000)', 'org.apache.kafka.connect.mirror.MirrorMaker'],
      { stdio: 'ignore' },
    );
    try {
      const svc = mm2Service(['eu', 'us'], parsePorts({}));
      // Another checkout's real MirrorMaker 2 may be listed too.
      await expect(svc.start(() => undefined)).rejects.toThrow(
        new RegExp(
          `another MirrorMaker 2 runs on this machine \\(pid [\\d, ]*\\b${String(other.pid)}\\b`,
        ),
      );
    } finally {
      other.kill();
      await once(other, 'exit');
    }
  });
});
