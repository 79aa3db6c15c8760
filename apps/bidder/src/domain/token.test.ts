import { describe, expect, it } from 'vitest';
import { decodeToken, encodeToken, type BidContext } from './token.js';
import { renderMarkup, trackerUrls } from './macros.js';

const ctx: BidContext = {
  bidId: 'b1',
  requestId: 'r1',
  impId: '1',
  campaignId: 'c1',
  creativeId: 'cr1',
  priceMicros: 2_000_000,
  cur: 'USD',
  region: 'eu',
  ts: 123,
  userId: 'u1',
  dealId: 'd1',
};
const SECRET = 'a-secret-of-sixteen+';

describe('tracking token', () => {
  it('round-trips the bid context', () => {
    expect(decodeToken(SECRET, encodeToken(SECRET, ctx))).toEqual({
      ...ctx,
      siteDomain: undefined,
      appBundle: undefined,
      publisherId: undefined,
    });
  });

  it('refuses a tampered payload, a foreign key and garbage', () => {
    const t = encodeToken(SECRET, ctx);
    const [payload, mac] = t.split('.');
    const forged = Buffer.from(
      JSON.stringify(['b1', 'r1', '1', 'c1', 'cr1', 9e9, 'USD', 'eu', 123, '', '', '', '', '']),
    ).toString('base64url');
    expect(decodeToken(SECRET, `${forged}.${mac ?? ''}`)).toBeUndefined();
    expect(decodeToken('another-secret-of-16', t)).toBeUndefined();
    expect(decodeToken(SECRET, `${payload ?? ''}.`)).toBeUndefined();
    expect(decodeToken(SECRET, 'not a token')).toBeUndefined();
  });
});

describe('markup and tracker URLs', () => {
  const urls = trackerUrls('http://bidder', 'TOKEN');
  it('leaves the exchange macros in the notice URLs', () => {
    expect(urls.nurl).toBe(
      'http://bidder/t/win?t=TOKEN&price=${AUCTION_PRICE}&auction=${AUCTION_ID}&bid=${AUCTION_BID_ID}&imp=${AUCTION_IMP_ID}&seat=${AUCTION_SEAT_ID}&ad=${AUCTION_AD_ID}&cur=${AUCTION_CURRENCY}',
    );
    expect(urls.lurl).toContain('loss=${AUCTION_LOSS}');
  });

  const v = {
    requestId: 'r',
    bidId: 'b',
    impId: '1',
    seat: 's',
    adId: 'a',
    cur: 'EUR',
    impUrl: urls.imp,
    clickUrl: urls.click,
  };
  it('fills our macros and adds an impression pixel to a banner', () => {
    const out = renderMarkup('<a href="${CLICK_URL}">${AUCTION_ID} ${AUCTION_PRICE}</a>', 1, v);
    expect(out).toBe(
      `<a href="${urls.click}">r \${AUCTION_PRICE}</a><img src="${urls.imp}" width="1" height="1" alt="" style="display:none">`,
    );
  });

  it('adds an Impression element to inline VAST', () => {
    expect(renderMarkup('<VAST><Ad><InLine><AdTitle/></InLine></Ad></VAST>', 2, v)).toContain(
      `<InLine><Impression><![CDATA[${urls.imp}]]></Impression>`,
    );
  });
});
