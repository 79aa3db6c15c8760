import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { NoBidReason } from '@streambid/contracts';
import { createWorld } from '../../fuzz/world.js';
import type { BidAnswer } from './bid-flow.js';
import { loadBidderConfig } from '../config.js';
import { NO_BID } from '../domain/no-bid.js';

const world = createWorld({ env: { BIDDER_EXCHANGES: 'ssp-x:burl:nbr,ssp-y:nurl:204' } });

function answerOf(exchange: string, req: object): Promise<BidAnswer> {
  return new Promise((resolve) => {
    world.run(
      {
        body: JSON.stringify(req),
        version: '2.6',
        exchange,
        t0: performance.now(),
        aborted: false,
      },
      (a) => resolve(a),
    );
  });
}

const request = (over: object = {}): object => ({
  id: 'req-1',
  imp: [{ id: '1', banner: { w: 300, h: 250 } }],
  site: { domain: 'no-campaign-here.example' },
  ...over,
});

describe('no-bid reasons', () => {
  it('maps every reason to a code of the OpenRTB list', () => {
    const codes = new Set<number>(Object.values(NoBidReason));
    for (const [reason, code] of Object.entries(NO_BID))
      expect([reason, codes.has(code)]).toEqual([reason, true]);
  });

  it('answers 204 by default, and the no-bid body with nbr to an exchange that takes one', async () => {
    const unknownCurrency = request({ cur: ['XXX'] });
    expect(await answerOf('default', unknownCurrency)).toEqual({ status: 204 });
    expect(await answerOf('ssp-y', unknownCurrency)).toEqual({ status: 204 });
    const a = await answerOf('ssp-x', unknownCurrency);
    expect(a.status).toBe(200);
    expect(JSON.parse(a.status === 200 ? a.body : '')).toEqual({
      id: 'req-1',
      seatbid: [],
      nbr: NoBidReason.invalidRequest,
    });
    const seat = await answerOf('ssp-x', request({ bseat: ['streambid'] }));
    expect(JSON.parse(seat.status === 200 ? seat.body : '')).toMatchObject({
      nbr: NO_BID.seat,
    });
  });

  it('refuses an exchange entry whose no-bid answer is neither 204 nor nbr, naming the variable', () => {
    expect(() =>
      loadBidderConfig({ BIDDER_DEV_MODE: 'true', BIDDER_EXCHANGES: 'ssp-x:burl:json' }),
    ).toThrow(/BIDDER_EXCHANGES.*204 or nbr/s);
  });
});
