import { describe, expect, it } from 'vitest';
import {
  checkResponse,
  emptyCheckCounts,
  passRate,
  requestFacts,
  sampled,
  type CheckCounts,
} from './checks.js';

const fx = { USD: 1, EUR: 1.1 };
const req = requestFacts(
  {
    id: 'req-1',
    imp: [
      { id: '1', bidfloor: 1.5, bidfloorcur: 'USD' },
      { id: '2', bidfloor: 1, bidfloorcur: 'EUR' },
      { id: '3', bidfloor: 9, bidfloorcur: 'XYZ' },
    ],
    badv: ['Blocked.example'],
  },
  fx,
);
const bid = (o: Record<string, unknown> = {}) => ({
  id: 'b1',
  impid: '1',
  price: 2,
  adomain: ['brand.example'],
  ...o,
});
const response = (bids: unknown[], o: Record<string, unknown> = {}) => ({
  id: 'req-1',
  cur: 'USD',
  seatbid: [{ seat: 's', bid: bids }],
  ...o,
});
const fails = (c: CheckCounts) =>
  Object.entries(c)
    .filter(([, v]) => v.fails > 0)
    .map(([k]) => k);

describe('checks on responses', () => {
  it('passes every check of a well-formed bid above the floor from an allowed advertiser', () => {
    const c = emptyCheckCounts();
    expect(checkResponse(response([bid()]), req, fx, c)).toEqual([[]]);
    expect(fails(c)).toEqual([]);
    expect(c.price_at_least_floor.passes).toBe(1);
    expect(passRate(c)).toBe(1);
  });

  it('fails price_at_least_floor for a bid under the impression floor', () => {
    const c = emptyCheckCounts();
    expect(checkResponse(response([bid({ price: 1.49 })]), req, fx, c)).toEqual([
      ['price_at_least_floor'],
    ]);
    expect(fails(c)).toEqual(['price_at_least_floor']);
  });

  it('compares a floor in another currency after converting it (1 EUR = 1.10 USD)', () => {
    const c = emptyCheckCounts();
    checkResponse(
      response([bid({ impid: '2', price: 1.05 }), bid({ impid: '2', price: 1.1 })]),
      req,
      fx,
      c,
    );
    expect(c.price_at_least_floor).toEqual({ passes: 1, fails: 1 });
  });

  it('skips the floor check when the floor currency is unknown rather than failing it', () => {
    const c = emptyCheckCounts();
    checkResponse(response([bid({ impid: '3', price: 0.1 })]), req, fx, c);
    expect(c.price_at_least_floor).toEqual({ passes: 0, fails: 0 });
  });

  it('fails adomain_not_in_badv for an advertiser in badv, whatever its case', () => {
    const c = emptyCheckCounts();
    expect(checkResponse(response([bid({ adomain: ['blocked.EXAMPLE'] })]), req, fx, c)).toEqual([
      ['adomain_not_in_badv'],
    ]);
    expect(fails(c)).toEqual(['adomain_not_in_badv']);
  });

  it('fails the schema check for a bid without an id, and rejects a bid without a price', () => {
    const c = emptyCheckCounts();
    const v = checkResponse(response([bid({ id: '' }), bid({ price: '2' })]), req, fx, c);
    expect(c.response_schema.fails).toBe(1);
    expect(v).toEqual([[], ['response_schema']]);
  });

  it('fails the id check for a response to another request, and the impid check for an unknown imp', () => {
    const c = emptyCheckCounts();
    const v = checkResponse(response([bid({ impid: '9' })], { id: 'other' }), req, fx, c);
    expect(fails(c)).toEqual(['response_id_echoes_request', 'bid_impid_in_request']);
    expect(v).toEqual([['bid_impid_in_request']]);
  });

  it('counts a non-object body as one failed schema check', () => {
    const c = emptyCheckCounts();
    expect(checkResponse([1, 2], req, fx, c)).toEqual([]);
    expect(c.response_schema.fails).toBe(1);
    expect(passRate(c)).toBe(0);
  });

  it('samples the configured share of requests, evenly', () => {
    const picked = Array.from({ length: 1000 }, (_, i) => sampled(i, 0.1)).filter(Boolean);
    expect(picked).toHaveLength(100);
    expect(Array.from({ length: 10 }, (_, i) => sampled(i, 1)).every(Boolean)).toBe(true);
    expect(Array.from({ length: 10 }, (_, i) => sampled(i, 0)).some(Boolean)).toBe(false);
  });
});
