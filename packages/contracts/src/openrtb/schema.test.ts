import { describe, expect, it } from 'vitest';
import { bidResponseSchema } from './schema.js';
import type { BidResponse } from './types.js';

const response: BidResponse = {
  id: 'req-1',
  bidid: 'b-1',
  cur: 'USD',
  seatbid: [
    {
      seat: 'seat-1',
      bid: [
        {
          id: 'bid-1',
          impid: '1',
          price: 1.25,
          adid: 'ad-9',
          nurl: 'https://bid.example/win?p=${AUCTION_PRICE}',
          burl: 'https://bid.example/bill?p=${AUCTION_PRICE}',
          lurl: 'https://bid.example/loss?r=${AUCTION_LOSS}',
          adm: '<div>ad</div>',
          adomain: ['brand.example'],
          cid: 'c-1',
          crid: 'cr-1',
          cat: ['IAB1'],
          attr: [],
          dealid: 'DX-1',
          w: 300,
          h: 250,
          mtype: 1,
        },
      ],
    },
  ],
};

describe('bidResponseSchema', () => {
  it('accepts a full banner response with trackers and a deal', () => {
    expect(bidResponseSchema.safeParse(response).success).toBe(true);
  });

  it('accepts a no-bid response carrying only id and nbr', () => {
    expect(bidResponseSchema.safeParse({ id: 'req-1', nbr: 2 }).success).toBe(true);
  });

  it('rejects a bid without impid', () => {
    const bad = structuredClone(response) as unknown as {
      seatbid: { bid: Record<string, unknown>[] }[];
    };
    delete bad.seatbid[0]?.bid[0]?.['impid'];
    const r = bidResponseSchema.safeParse(bad);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['seatbid', 0, 'bid', 0, 'impid']);
  });

  it('rejects a negative price and an unknown mtype', () => {
    const neg = { id: 'r', seatbid: [{ bid: [{ id: 'b', impid: '1', price: -1 }] }] };
    const mtype = { id: 'r', seatbid: [{ bid: [{ id: 'b', impid: '1', price: 1, mtype: 9 }] }] };
    expect(bidResponseSchema.safeParse(neg).success).toBe(false);
    expect(bidResponseSchema.safeParse(mtype).success).toBe(false);
  });

  it('rejects a seatbid with an empty bid array', () => {
    expect(bidResponseSchema.safeParse({ id: 'r', seatbid: [{ bid: [] }] }).success).toBe(false);
  });
});
