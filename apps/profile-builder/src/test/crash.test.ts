import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, waitFor, type Publisher } from '@streambid/adapters';
import type { Catalogue } from '@streambid/contracts';
import { ProfileReader, watermarkKey } from '@streambid/profiles';
import {
  brokerFor,
  endpoints,
  openPublisher,
  testKafka,
  testRedis,
  testTopics,
  uniq,
} from '@streambid/testkit/services';
import { syntheticEvents } from '../testing/events.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const NOW = Date.now();

/** The real service (`npm run profile-builder`) as a child process we can SIGKILL. */
function spawnBuilder(env: Record<string, string>): ChildProcess {
  return spawn(
    process.execPath,
    ['--conditions=@streambid/source', '--import', 'tsx', 'apps/profile-builder/src/main.ts'],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' },
  );
}

function killHard(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    p.once('exit', () => resolve());
    p.kill('SIGKILL');
  });
}

describe('profile builder process killed mid-stream', () => {
  const redis = testRedis('eu');
  const keyPrefix = `${uniq('pbk')}:`;
  const children: ChildProcess[] = [];
  let publisher: Publisher | undefined;

  afterAll(async () => {
    await Promise.all(children.map(killHard));
    await publisher?.close();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  /** Messages applied so far: sum over partitions of (watermark + 1); every message here has a user. */
  async function progress(): Promise<number> {
    const wm = await redis.hgetall(watermarkKey(keyPrefix));
    return Object.values(wm).reduce((s, v) => s + Number(v) + 1, 0);
  }

  it('a SIGKILL and restart mid-batch leave every count exact', async () => {
    const { ns, topics }: { ns: string; topics: Catalogue } = testTopics();
    const kafka = testKafka('eu');
    publisher = await openPublisher(kafka, [
      topics.userEvents,
      topics.impressions,
      topics.clicks,
      topics.deadLetter,
    ]);
    const ev = syntheticEvents({ users: 300, rounds: 40, ts0: NOW - 3_600_000 });
    for (let i = 0; i < ev.userEvents.length; i += 5000) {
      await publisher.publish(topics.userEvents, ev.userEvents.slice(i, i + 5000));
      await publisher.publish(topics.impressions, ev.impressions.slice(i, i + 5000));
      await publisher.publish(topics.clicks, ev.clicks.slice(i, i + 5000));
    }
    const total = ev.userEvents.length + ev.impressions.length + ev.clicks.length;
    const redisUrl = endpoints().redis.eu ?? 'redis://127.0.0.1:6379';
    const env = {
      TOPIC_NAMESPACE: ns,
      KAFKA_BROKERS: brokerFor('eu'),
      REDIS_URL: redisUrl,
      PROFILE_KEY_PREFIX: keyPrefix,
      // Small script calls: many calls per batch, so the kill lands between them.
      PROFILE_MAX_OPS_PER_CALL: '8',
      LOG_LEVEL: 'silent',
    };

    const first = spawnBuilder({ ...env, PROFILE_BUILDER_PORT: String(await freePort()) });
    children.push(first);
    await waitFor(async () => (await progress()) > 0, {
      timeoutMs: 60_000,
      intervalMs: 10,
      what: 'first updates',
    });
    await killHard(first);
    const atKill = await progress();
    expect(atKill).toBeLessThan(total);

    const port = await freePort();
    const second = spawnBuilder({ ...env, PROFILE_BUILDER_PORT: String(port) });
    children.push(second);
    // The restarted member joins once the killed one's session (10 s) has expired.
    await waitFor(async () => (await progress()) >= total, {
      timeoutMs: 90_000,
      intervalMs: 100,
      what: `all ${String(total)} messages applied`,
    });

    expect(await progress()).toBe(total);
    const reader = new ProfileReader(redis, { keyPrefix });
    for (const [userId, freq] of ev.expectedFreq) {
      const res = await reader.get(userId, NOW);
      if (res.kind !== 'found') throw new Error(`${userId}: ${res.kind}`);
      const lifetime = Object.fromEntries(
        Object.entries(res.profile.freq).map(([c, f]) => [c, f.lifetime]),
      );
      expect(lifetime).toEqual(Object.fromEntries(freq));
      expect(res.profile.clicks).toBe(ev.expectedClicks.get(userId) ?? 0);
    }

    // The restarted service reports on its ops endpoints.
    const health = await fetch(`http://127.0.0.1:${String(port)}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
    expect(metrics).toMatch(/profile_builder_events_applied_total\{[^}]*topic="[^"]+"[^}]*\} \d+/);
    expect(metrics).toMatch(/profile_builder_redis_paused\{[^}]*\} 0/);
  }, 180_000); // its own waits add up to 150 s on a loaded machine; the default is 60 s
});
