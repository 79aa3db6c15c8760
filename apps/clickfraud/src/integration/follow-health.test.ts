import { describe, expect, it } from 'vitest';
import { chExec, rawSql, waitFor } from '@streambid/adapters';
import { testTopics } from '@streambid/testkit/services';
import { modelTables } from '../schema/names.js';
import { followHealthy, runFollow, type FollowHealth, type ServiceDeps } from '../service.js';
import { clickfraudEnv, serviceDeps, testDatabase, useServices } from './helpers.js';

describe('follow health', () => {
  const { ns, topics } = testTopics();
  const db = testDatabase('cfhealth');
  const services = useServices([topics.clicks, topics.impressions, topics.fraudBlocklist], db);

  it('is healthy while following and unhealthy once scoring keeps failing or the follow ends', async () => {
    const { kafka, ch, publisher } = services;
    const deps: ServiceDeps = serviceDeps(kafka, ch, {
      ...clickfraudEnv(ns, db),
      CLICKFRAUD_SCORE_INTERVAL_MS: '1000',
    });
    const health: FollowHealth = { following: false, scoringFailures: 0 };
    const stop = new AbortController();
    const args = {
      fromMs: null,
      toMs: null,
      regions: null,
      into: 'v1',
      maxRate: null,
      publish: true,
    };
    const following = runFollow(deps, args, { signal: stop.signal, blocklist: publisher, health });
    try {
      await waitFor(() => followHealthy(health), { timeoutMs: 30_000, what: 'following' });
      // Scoring writes into the scores table: without it every round fails.
      await chExec(ch, rawSql(`DROP TABLE ${modelTables(db, 'v1').clickScores}`));
      await waitFor(() => !followHealthy(health), { timeoutMs: 20_000, what: 'unhealthy' });
      expect(health.following).toBe(true);
      expect(health.scoringFailures).toBeGreaterThanOrEqual(3);
    } finally {
      stop.abort();
      await following;
    }
    expect(health.following).toBe(false);
  });
});
