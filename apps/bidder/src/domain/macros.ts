/**
 * Tracker URLs and ad-markup macros. Exchange macros (`${AUCTION_PRICE}` and friends, OpenRTB 2.6
 * §4.4) are left in nurl/burl/lurl for the exchange to fill; in the markup we fill the ones we
 * already know and add our impression and click trackers.
 */

import type { TrackerKind } from './token.js';

/** Our tracker paths. */
export const TRACK_PATHS = {
  win: '/t/win',
  bill: '/t/bill',
  loss: '/t/loss',
  imp: '/t/imp',
  click: '/t/click',
} as const;

const NOTICE_MACROS =
  '&price=${AUCTION_PRICE}&auction=${AUCTION_ID}&bid=${AUCTION_BID_ID}&imp=${AUCTION_IMP_ID}' +
  '&seat=${AUCTION_SEAT_ID}&ad=${AUCTION_AD_ID}&cur=${AUCTION_CURRENCY}';

export interface TrackerUrls {
  nurl: string;
  burl: string;
  lurl: string;
  imp: string;
  click: string;
}

/** Tracker URLs of one bid, each with the token of its own kind. */
export function trackerUrls(base: string, t: Readonly<Record<TrackerKind, string>>): TrackerUrls {
  return {
    nurl: `${base}${TRACK_PATHS.win}?t=${t.win}${NOTICE_MACROS}`,
    burl: `${base}${TRACK_PATHS.bill}?t=${t.bill}${NOTICE_MACROS}`,
    lurl: `${base}${TRACK_PATHS.loss}?t=${t.loss}&price=\${AUCTION_PRICE}&loss=\${AUCTION_LOSS}`,
    imp: `${base}${TRACK_PATHS.imp}?t=${t.imp}`,
    click: `${base}${TRACK_PATHS.click}?t=${t.click}`,
  };
}

/** Values for the markup macros we fill ourselves. */
export interface MarkupValues {
  requestId: string;
  bidId: string;
  impId: string;
  seat: string;
  adId: string;
  cur: string;
  impUrl: string;
  clickUrl: string;
}

/** The markup macros we fill ourselves, and the value each takes. */
const MACRO_VALUE = {
  AUCTION_ID: 'requestId',
  AUCTION_BID_ID: 'bidId',
  AUCTION_IMP_ID: 'impId',
  AUCTION_SEAT_ID: 'seat',
  AUCTION_AD_ID: 'adId',
  AUCTION_CURRENCY: 'cur',
  CLICK_URL: 'clickUrl',
  IMP_URL: 'impUrl',
} as const satisfies Record<string, keyof MarkupValues>;

const MACRO = new RegExp(`\\$\\{(${Object.keys(MACRO_VALUE).join('|')})\\}`, 'g');

const escAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** Native 1.2 event tracker: event 1 (impression), method 1 (image pixel). */
type EventTracker = { event: number; method: number; url: string };
type NativeResponse = { eventtrackers?: unknown; imptrackers?: unknown };

/**
 * A native response (Native Ads 1.2, bare or under `native`) with the impression tracker in
 * `eventtrackers` and, for exchanges still on 1.1, in `imptrackers`. Markup that is not a native
 * JSON object (an HTML snippet some exchanges accept for native) gets the banner's pixel.
 */
function trackNative(markup: string, impUrl: string): string {
  const pixel = `<img src="${escAttr(impUrl)}" width="1" height="1" alt="" style="display:none">`;
  if (!markup.trimStart().startsWith('{')) return markup + pixel;
  let doc: unknown;
  try {
    doc = JSON.parse(markup);
  } catch {
    return markup;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return markup;
  const outer = doc as { native?: unknown };
  const inner =
    typeof outer.native === 'object' && outer.native !== null && !Array.isArray(outer.native)
      ? (outer.native as NativeResponse)
      : (doc as NativeResponse);
  const tracker: EventTracker = { event: 1, method: 1, url: impUrl };
  inner.eventtrackers = Array.isArray(inner.eventtrackers)
    ? [...(inner.eventtrackers as unknown[]), tracker]
    : [tracker];
  inner.imptrackers = Array.isArray(inner.imptrackers)
    ? [...(inner.imptrackers as unknown[]), impUrl]
    : [impUrl];
  return JSON.stringify(doc);
}

/**
 * Fills macros and makes sure the impression is tracked: a pixel for banners, an `<Impression>` in
 * the inline VAST of video and audio ads, an event tracker in a native response.
 */
export function renderMarkup(markup: string, mtype: number, v: MarkupValues): string {
  const hadImp = markup.includes('${IMP_URL}');
  let out = markup.includes('${')
    ? markup.replace(MACRO, (_m: string, name: keyof typeof MACRO_VALUE) => v[MACRO_VALUE[name]])
    : markup;
  if (hadImp) return out;
  if (mtype === 1) {
    out += `<img src="${escAttr(v.impUrl)}" width="1" height="1" alt="" style="display:none">`;
  } else if (mtype === 2 || mtype === 3) {
    // Video and audio ads are both VAST (audio since VAST 4 replaced DAAST).
    const at = out.indexOf('<InLine>');
    if (at >= 0) {
      const i = at + '<InLine>'.length;
      out = `${out.slice(0, i)}<Impression><![CDATA[${v.impUrl}]]></Impression>${out.slice(i)}`;
    }
  } else if (mtype === 4) {
    out = trackNative(out, v.impUrl);
  }
  return out;
}
