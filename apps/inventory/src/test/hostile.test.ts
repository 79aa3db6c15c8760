import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '@streambid/adapters';
import { LIMITS } from '@streambid/contracts';
import { brokerFor, testKafka, testTopics } from '@streambid/testkit/services';
import { countryCodes, SAMPLE_BANNER } from '@streambid/testkit';
import type { InventoryService } from '../service.js';
import { call, campaignBody, send, startReady, testConfig } from './harness.js';

/** Targeting whose cross-product with two creatives is just over `LIMITS.indexEntriesPerCampaign`. */
const OVERSIZE = {
  creatives: [SAMPLE_BANNER, { ...SAMPLE_BANNER, id: 'cr-2' }],
  targeting: {
    countries: countryCodes(LIMITS.targetCountries),
    deviceTypes: [0, 1, 2, 3, 4, 5, 6, 7, 8],
  },
};

describe('inventory API under hostile input (real Kafka)', () => {
  const { ns, topics } = testTopics();
  let svc: InventoryService;

  beforeAll(async () => {
    await ensureTopics(testKafka('eu'), Object.values(topics));
    svc = await startReady(testConfig(ns, brokerFor('eu')));
  });

  afterAll(async () => {
    await svc.close();
  });

  const healthy = async (): Promise<void> => {
    expect((await call(svc.port, 'GET', '/healthz', undefined, null)).status).toBe(200);
  };

  it('answers a malformed percent-encoding in the path with 400 naming the parameter, and stays up', async () => {
    for (const [method, path, field] of [
      ['GET', '/campaigns/%E0%A4%A', 'id'],
      ['GET', '/campaigns/%E0%A4%A/status', 'id'],
      ['PATCH', '/campaigns/%', 'id'],
      ['POST', '/campaigns/c-1/%ZZ', 'action'],
    ] as const) {
      const a = await send(svc.port, method, path);
      expect(a.status, `${method} ${path}`).toBe(400);
      expect(a.json).toMatchObject({ error: 'invalid_path', field });
    }
    await healthy();
    // Every route runs under the HTTP guard, whose counter is on the service's registry.
    const metrics = await fetch(`http://127.0.0.1:${String(svc.port)}/metrics`);
    expect(await metrics.text()).toContain('http_handler_errors_total');
  });

  it('answers a bad query string with 400 naming the parameter', async () => {
    for (const [path, field] of [
      ['/campaigns?status=active&status=paused', 'status'],
      ['/campaigns?status=%E0%A4%A', 'status'],
      ['/campaigns?colour=red', 'colour'],
      ['/campaigns?__proto__=x', '__proto__'],
      [`/campaigns?advertiser=${'a'.repeat(LIMITS.id + 1)}`, 'advertiser'],
      ['/campaigns?status=deleted', 'status'],
      ['/campaigns/c-1?x=1', 'x'],
    ] as const) {
      const a = await send(svc.port, 'GET', path);
      expect(a.status, path).toBe(400);
      expect(a.json).toMatchObject({ error: 'invalid_query', field });
    }
    expect((await send(svc.port, 'GET', '/campaigns?status=active&advertiser=acme')).status).toBe(
      200,
    );
    // The ops endpoints read no query; a probe's cache-buster must not fail them.
    expect((await send(svc.port, 'GET', '/healthz?_=1&_=2', { token: null })).status).toBe(200);
  });

  it('refuses a body route with an unsupported content type, naming content-type', async () => {
    for (const ct of [
      'text/xml',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
    ]) {
      const a = await send(svc.port, 'POST', '/campaigns', {
        body: JSON.stringify(campaignBody()),
        headers: { 'content-type': ct },
      });
      expect(a.status, ct).toBe(400);
      expect(a.json).toMatchObject({ error: 'unsupported_media_type', field: 'content-type' });
    }
    const plus = await send(svc.port, 'POST', '/campaigns', {
      body: JSON.stringify(campaignBody()),
      headers: { 'content-type': 'application/vnd.streambid+json' },
    });
    expect(plus.status).toBe(201);
    await healthy();
  });

  it('refuses a body that is not UTF-8, not JSON or nested too deep', async () => {
    const text = JSON.stringify(campaignBody({ name: 'XX' }));
    const at = text.indexOf('XX');
    const latin1 = Buffer.from(text);
    latin1[at] = 0xe9; // é in Latin-1: not UTF-8
    const deep = JSON.stringify(
      campaignBody({
        name: JSON.parse('['.repeat(LIMITS.jsonDepth) + ']'.repeat(LIMITS.jsonDepth)),
      }),
    );
    for (const body of [
      latin1,
      text.slice(0, -3),
      deep,
      '['.repeat(200_000) + ']'.repeat(200_000),
    ]) {
      const a = await send(svc.port, 'POST', '/campaigns', {
        body,
        headers: { 'content-type': 'application/json' },
      });
      expect(a.status, String(body).slice(0, 40)).toBe(400);
      expect(a.json).toMatchObject({ error: 'invalid_json', field: '(body)' });
    }
    await healthy();
  });

  it('refuses oversize targeting, creatives and markup with 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [OVERSIZE, 'targeting'],
      [
        { targeting: { countries: countryCodes(LIMITS.targetCountries + 1) } },
        'targeting.countries',
      ],
      [
        {
          targeting: {
            siteDomains: Array.from(
              { length: LIMITS.targetingList + 1 },
              (_, i) => `s${String(i)}.example`,
            ),
          },
        },
        'targeting.siteDomains',
      ],
      [
        {
          creatives: Array.from({ length: LIMITS.creatives + 1 }, (_, i) => ({
            ...SAMPLE_BANNER,
            id: `cr-${String(i)}`,
          })),
        },
        'creatives',
      ],
      [
        { creatives: [{ ...SAMPLE_BANNER, markup: 'x'.repeat(LIMITS.markup + 1) }] },
        'creatives.0.markup',
      ],
      [
        {
          creatives: Array.from({ length: 13 }, (_, i) => ({
            ...SAMPLE_BANNER,
            id: `cr-${String(i)}`,
            markup: 'x'.repeat(LIMITS.markup - 100),
          })),
        },
        'creatives',
      ],
    ];
    for (const [over, field] of cases) {
      const a = await call(svc.port, 'POST', '/campaigns', campaignBody({ deals: [], ...over }));
      expect(a.status, `${field} ${JSON.stringify(a.json).slice(0, 200)}`).toBe(400);
      expect(a.json['field']).toBe(field);
    }
    // Just under: one device type fewer fits.
    const fits = await call(
      svc.port,
      'POST',
      '/campaigns',
      campaignBody({
        deals: [],
        ...OVERSIZE,
        targeting: { ...OVERSIZE.targeting, deviceTypes: [0, 1, 2, 3, 4, 5, 6, 7] },
      }),
    );
    expect(fits.status).toBe(201);
    // A PATCH that grows an accepted campaign over the limit is refused on the merged record.
    const grown = await call(svc.port, 'PATCH', `/campaigns/${String(fits.json['id'])}`, {
      version: 1,
      targeting: OVERSIZE.targeting,
    });
    expect(grown.status).toBe(400);
    expect(grown.json['field']).toBe('targeting');
    await healthy();
  });
});
