import { describe, expect, it } from 'vitest';
import {
  decodeToken,
  encodeTokens,
  MAX_TOKEN_CHARS,
  TrackerKind,
  type BidContext,
  type TrackingKeys,
} from './token.js';
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
  ts: 1_000_000,
  userId: 'u1',
  dealId: 'd1',
  exchange: 'default',
  test: false,
};
const K1 = { id: 'k1', secret: 'a-secret-of-sixteen+' };
const K2 = { id: 'k2', secret: 'the-next-secret-16chars' };
const keys: TrackingKeys = { current: K1, previous: [] };
const ttl = { noticeMs: 3_600_000, markupMs: 86_400_000 };
const NOW = ctx.ts + 1000;
const kinds = Object.values(TrackerKind);

describe('tracking tokens', () => {
  it('round-trip the bid context for every tracker kind', () => {
    const t = encodeTokens(keys, ctx);
    for (const k of kinds)
      expect(decodeToken(keys, k, t[k], NOW, ttl)).toEqual({
        ok: true,
        ctx: { ...ctx, siteDomain: undefined, appBundle: undefined, publisherId: undefined },
      });
  });

  it('open only their own tracker: a markup token opens neither win, billing nor loss', () => {
    const t = encodeTokens(keys, ctx);
    for (const from of kinds)
      for (const to of kinds)
        expect(decodeToken(keys, to, t[from], NOW, ttl).ok, `${from} token on ${to}`).toBe(
          from === to,
        );
    expect(decodeToken(keys, 'bill', t.imp, NOW, ttl)).toEqual({ ok: false, refusal: 'forged' });
  });

  it('refuse a tampered payload, a foreign key and garbage', () => {
    const t = encodeTokens(keys, ctx).bill;
    const [kid, , tag] = t.split('.');
    const forged = Buffer.from(
      JSON.stringify([2, 'b1', 'r1', '1', 'c1', 'cr1', 9e9, 'USD', 'eu', 123]),
    ).toString('base64url');
    expect(decodeToken(keys, 'bill', `${kid ?? ''}.${forged}.${tag ?? ''}`, NOW, ttl).ok).toBe(
      false,
    );
    const other: TrackingKeys = {
      current: { id: 'k1', secret: 'another-secret-of-16' },
      previous: [],
    };
    expect(decodeToken(other, 'bill', t, NOW, ttl)).toEqual({ ok: false, refusal: 'forged' });
    expect(decodeToken(keys, 'bill', 'not a token', NOW, ttl)).toEqual({
      ok: false,
      refusal: 'malformed',
    });
    expect(decodeToken(keys, 'bill', 'x'.repeat(MAX_TOKEN_CHARS + 1), NOW, ttl).ok).toBe(false);
  });

  it('expire: notices after the notice window, markup trackers after theirs', () => {
    const t = encodeTokens(keys, ctx);
    expect(decodeToken(keys, 'bill', t.bill, ctx.ts + ttl.noticeMs, ttl).ok).toBe(true);
    expect(decodeToken(keys, 'bill', t.bill, ctx.ts + ttl.noticeMs + 1, ttl)).toEqual({
      ok: false,
      refusal: 'expired',
    });
    expect(decodeToken(keys, 'click', t.click, ctx.ts + ttl.noticeMs + 1, ttl).ok).toBe(true);
    expect(decodeToken(keys, 'click', t.click, ctx.ts + ttl.markupMs + 1, ttl).ok).toBe(false);
  });

  it('carry their key id: after a rotation old tokens open until the old key’s grace period ends', () => {
    const old = encodeTokens(keys, ctx).bill;
    const rotated: TrackingKeys = { current: K2, previous: [{ ...K1, acceptUntil: NOW + 10 }] };
    expect(old.startsWith('k1.')).toBe(true);
    expect(decodeToken(rotated, 'bill', old, NOW, ttl).ok).toBe(true);
    expect(decodeToken(rotated, 'bill', old, NOW + 11, ttl)).toEqual({
      ok: false,
      refusal: 'unknown_key',
    });
    const fresh = encodeTokens(rotated, ctx).bill;
    expect(fresh.startsWith('k2.')).toBe(true);
    expect(decodeToken(rotated, 'bill', fresh, NOW + 11, ttl).ok).toBe(true);
    // Before the rotation reached this bidder, a token of the new key is unknown.
    expect(decodeToken(keys, 'bill', fresh, NOW, ttl)).toEqual({
      ok: false,
      refusal: 'unknown_key',
    });
  });

  it('carry the exchange and the test flag', () => {
    const t = encodeTokens(keys, { ...ctx, exchange: 'ssp-x', test: true });
    const r = decodeToken(keys, 'win', t.win, NOW, ttl);
    expect(r.ok && r.ctx.exchange).toBe('ssp-x');
    expect(r.ok && r.ctx.test).toBe(true);
  });
});

describe('markup and tracker URLs', () => {
  const urls = trackerUrls('http://bidder', {
    win: 'TOKEN',
    bill: 'B',
    loss: 'L',
    imp: 'I',
    click: 'C',
  });
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

  it('adds an impression event tracker to a native response, bare or under `native`', () => {
    const bare = JSON.parse(
      renderMarkup('{"ver":"1.2","assets":[],"link":{"url":"${CLICK_URL}"}}', 4, v),
    ) as { link: { url: string }; eventtrackers: unknown[]; imptrackers: string[] };
    expect(bare.link.url).toBe(urls.click);
    expect(bare.eventtrackers).toEqual([{ event: 1, method: 1, url: urls.imp }]);
    expect(bare.imptrackers).toEqual([urls.imp]);
    const wrapped = JSON.parse(
      renderMarkup(
        '{"native":{"assets":[],"eventtrackers":[{"event":2,"method":1,"url":"https://v.example"}]}}',
        4,
        v,
      ),
    ) as { native: { eventtrackers: unknown[] } };
    expect(wrapped.native.eventtrackers).toEqual([
      { event: 2, method: 1, url: 'https://v.example' },
      { event: 1, method: 1, url: urls.imp },
    ]);
  });

  it('gives HTML native markup the pixel and leaves broken JSON as it is', () => {
    expect(renderMarkup('<a href="${CLICK_URL}">x</a>', 4, v)).toContain(`<img src="${urls.imp}"`);
    expect(renderMarkup('{"assets":', 4, v)).toBe('{"assets":');
  });

  it('adds an Impression element to the inline VAST of an audio ad too', () => {
    expect(renderMarkup('<VAST><Ad><InLine><AdTitle/></InLine></Ad></VAST>', 3, v)).toContain(
      `<InLine><Impression><![CDATA[${urls.imp}]]></Impression>`,
    );
  });
});
