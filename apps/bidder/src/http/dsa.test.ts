import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { campaignSchema, type BidResponse } from '@streambid/contracts';
import { createWorld } from '../../fuzz/world.js';
import type { BidAnswer } from './bid-flow.js';

const world = createWorld();
const domain = 'dsa-only.example';
const now = Date.now();
const dsa = {
  behalf: 'Acme GmbH',
  paid: 'Acme Holding',
  transparency: [{ domain: 'acme.example', dsaparams: [1, 2] }],
};
world.deps.ctx.index.upsert(
  campaignSchema.parse({
    eventId: 'dsa-c',
    ts: now,
    id: 'dsa-c',
    version: 1,
    homeRegion: 'eu',
    advertiser: 'acme',
    status: 'active',
    creatives: [
      {
        id: 'dsa-cr',
        mediaType: 'banner',
        w: 300,
        h: 250,
        markup: '<b>ad</b>',
        landingUrl: 'https://acme.example/',
        adomain: ['acme.example'],
      },
    ],
    targeting: { siteDomains: [domain] },
    bidCpmMicros: 900_000_000,
    budget: { totalMicros: 1e12 },
    flight: { start: now - 3_600_000, end: now + 3_600_000 },
    dsa,
  }),
);

function answerOf(req: object): Promise<BidAnswer> {
  return new Promise((resolve) => {
    world.run(
      {
        body: JSON.stringify(req),
        version: '2.6',
        exchange: 'default',
        t0: performance.now(),
        aborted: false,
      },
      (a) => resolve(a),
    );
  });
}

describe('DSA transparency on the bid', () => {
  it('carries the campaign’s DSA information in bid.ext.dsa where the request asks for it', async () => {
    const a = await answerOf({
      id: 'r-dsa',
      imp: [{ id: '1', banner: { w: 300, h: 250 } }],
      site: { domain },
      regs: { ext: { dsa: { dsarequired: 3 } } },
    });
    expect(a.status).toBe(200);
    const res = JSON.parse(a.status === 200 ? a.body : '{}') as BidResponse;
    const bid = res.seatbid?.[0]?.bid[0];
    expect(bid?.cid).toBe('dsa-c');
    expect(bid?.ext).toEqual({ dsa });
  });
});
