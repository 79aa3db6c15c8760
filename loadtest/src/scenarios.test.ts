import { describe, expect, it } from 'vitest';
import { mulberry32 } from '@streambid/testkit';
import { scenarioSchema } from './args.js';
import { requestFor, type Visit } from './exchange.js';
import { plansFor, warmupScenarios } from './scenarios.js';

const file = scenarioSchema.parse({
  botShare: 0.2,
  scenarios: {
    ctv: {
      executor: 'ramping-arrival-rate',
      startTime: 5,
      stages: [
        { duration: 10, target: 40 },
        { duration: 10, target: 40 },
      ],
      media: 'video',
      device: 'ctv',
      regions: ['us'],
    },
    banner: { executor: 'constant-arrival-rate', rate: 50, duration: 20, botShare: 0 },
  },
});

describe('scenario plans', () => {
  it('runs one default scenario at the fixed rate without named ones', () => {
    const [p, ...rest] = plansFor(scenarioSchema.parse({ rate: 100, durationS: 15 }), 'eu');
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ name: 'default', requests: 1500, endS: 15, activeS: 15 });
    expect(p?.mix.botShare).toBeUndefined();
  });

  it('gives each region its scenarios, with their profile, start time and mix', () => {
    expect(plansFor(file, 'eu').map((p) => p.name)).toEqual(['banner']);
    const [ctv] = plansFor(file, 'us');
    expect(ctv).toMatchObject({ name: 'ctv', requests: 600, endS: 25, activeS: 20 });
    expect(ctv?.profile).toEqual({
      offsetS: 5,
      startRate: 0,
      stages: [
        { durationS: 10, target: 40 },
        { durationS: 10, target: 40 },
      ],
    });
    // CTV comes from apps; the file's bot share applies where the scenario names none.
    expect(ctv?.mix).toEqual({ media: 'video', channel: 'app', device: 'ctv', botShare: 0.2 });
    expect(plansFor(file, 'us')[1]?.mix.botShare).toBe(0);
  });

  it('warms every scenario up at its mean rate from the start', () => {
    const warm = warmupScenarios(file.scenarios, 5);
    expect(warm['ctv']).toMatchObject({
      executor: 'constant-arrival-rate',
      rate: 30,
      duration: 5,
      startTime: 0,
      regions: ['us'],
    });
    expect(warm['ctv']?.stages).toBeUndefined();
    expect(warm['banner']).toMatchObject({ rate: 50, duration: 5 });
  });

  it('builds CTV requests as connected-TV app video, and site requests with a site', () => {
    const visit: Visit = {
      label: 'human',
      ip: '203.0.113.9',
      ua: 'Mozilla/5.0',
      userId: 'u1',
      siteDomain: 'news.example',
      publisherId: 'pub-1',
      placement: 'top',
      clickDelaysMs: [],
    };
    const rng = mulberry32(7);
    for (let i = 0; i < 20; i++) {
      const ctv = requestFor(visit, rng, { media: 'video', channel: 'app', device: 'ctv' });
      expect(ctv.app).toBeDefined();
      expect(ctv.site).toBeUndefined();
      expect(ctv.device?.devicetype).toBe(3);
      expect(ctv.imp.every((imp) => imp.video !== undefined && imp.banner === undefined)).toBe(
        true,
      );
      const site = requestFor(visit, rng, { channel: 'site', media: 'banner' });
      expect(site.site?.domain).toBe('news.example');
      expect(site.imp.every((imp) => imp.banner !== undefined)).toBe(true);
    }
  });
});
