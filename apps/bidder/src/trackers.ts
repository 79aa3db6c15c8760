import { randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { impressionCostMicros, toMicros, type Spend } from '@streambid/contracts';
import { statusLine } from '@streambid/adapters';
import { TRACK_PATHS } from './domain/macros.js';
import { decodeToken, type BidContext } from './domain/token.js';
import { fromUsdMicros, toUsdMicros } from './domain/fx.js';
import type { RecentWin } from './coordinator.js';
import type { ServerDeps } from './deps.js';

// 1×1 transparent GIF for the impression pixel.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** A macro the exchange did not substitute is absent, not a value. */
function macroValue(v: string): string | undefined {
  return v === '' || v.startsWith('${') || v.startsWith('%24%7B') ? undefined : v;
}

function reply(res: HttpResponse, code: number, body: object): void {
  res
    .writeStatus(statusLine(code))
    .writeHeader('content-type', 'application/json')
    .end(JSON.stringify(body));
}

/** Request data copied before any await (uWS request objects die with the handler). */
interface Hit {
  ctx: BidContext;
  query: (k: string) => string | undefined;
  ip: string;
  ua: string;
}

export function registerTrackers(app: TemplatedApp, d: ServerDeps): void {
  const secret = d.cfg.BIDDER_TRACKING_SECRET;
  const region = d.cfg.REGION;
  const trustForwarded = d.cfg.BIDDER_TRUST_FORWARDED;
  const clientIp = (res: HttpResponse, req: HttpRequest): string => {
    if (trustForwarded) {
      const first = req.getHeader('x-forwarded-for').split(',')[0]?.trim() ?? '';
      if (first !== '' && first.length <= 64) return first;
    }
    return Buffer.from(res.getRemoteAddressAsText()).toString('utf8');
  };
  const count = (kind: string, outcome: string): void => d.metrics.trackers.inc({ kind, outcome });

  /** Verifies the token; answers 400 itself and returns undefined when it is not genuine. */
  const hit = (kind: string, res: HttpResponse, req: HttpRequest): Hit | undefined => {
    const ctx = decodeToken(secret, req.getQuery('t') ?? '');
    if (!ctx || ctx.region !== region) {
      count(kind, 'rejected');
      reply(res, 400, {
        error: ctx ? 'bid was made in another region' : 'invalid or tampered tracking token',
      });
      return undefined;
    }
    const q = new Map<string, string>();
    for (const k of ['price', 'auction', 'bid', 'imp', 'loss']) {
      const v = macroValue(req.getQuery(k) ?? '');
      if (v !== undefined) q.set(k, v);
    }
    return {
      ctx,
      query: (k) => q.get(k),
      ip: clientIp(res, req),
      ua: req.getHeader('user-agent').slice(0, 1024),
    };
  };

  /** Clearing price in micros of the bid's currency, or an error for the client. */
  const clearing = (h: Hit): number | string => {
    const raw = h.query('price');
    if (raw === undefined) return h.ctx.priceMicros; // first price without substitution: we pay our bid
    const v = Number(raw);
    if (!Number.isFinite(v) || v < 0) return 'price is not a number';
    const micros = toMicros(v);
    if (micros > h.ctx.priceMicros) return 'price above the bid';
    return micros;
  };

  const mismatch = (h: Hit): string | undefined => {
    const a = h.query('auction');
    const b = h.query('bid');
    const i = h.query('imp');
    if (a !== undefined && a !== h.ctx.requestId) return 'auction id does not match the bid';
    if (b !== undefined && b !== h.ctx.bidId) return 'bid id does not match the bid';
    if (i !== undefined && i !== h.ctx.impId) return 'imp id does not match the bid';
    return undefined;
  };

  /** Win and billing notices both bill the bid, once: whichever arrives first records spend. */
  const bill =
    (kind: 'win' | 'bill') =>
    (res: HttpResponse, req: HttpRequest): void => {
      const aborted = { v: false };
      res.onAborted(() => {
        aborted.v = true;
      });
      const h = hit(kind, res, req);
      if (!h) return;
      const price = clearing(h);
      const bad = typeof price === 'string' ? price : mismatch(h);
      if (bad !== undefined || typeof price === 'string') {
        count(kind, 'rejected');
        reply(res, 400, { error: bad ?? 'bad price' });
        return;
      }
      const { ctx } = h;
      const now = Date.now();
      if (d.views.budget.hasSpend(ctx.bidId, now)) {
        count(kind, 'duplicate');
        reply(res, 200, { billed: false, duplicate: true });
        return;
      }
      void billOnce(h, price, now).then(
        (outcome) => {
          count(kind, outcome);
          if (!aborted.v)
            res.cork(() =>
              reply(res, 200, { billed: outcome === 'billed', duplicate: outcome === 'duplicate' }),
            );
        },
        (err: unknown) => {
          count(kind, 'error');
          d.metrics.produceErrors.inc();
          d.logger.error(
            { err, bidId: ctx.bidId },
            'spend not recorded; win notice refused for retry',
          );
          if (!aborted.v) res.cork(() => reply(res, 503, { error: 'spend not recorded, retry' }));
        },
      );
    };

  const billOnce = async (
    h: Hit,
    priceMicros: number,
    now: number,
  ): Promise<'billed' | 'duplicate'> => {
    const { ctx } = h;
    if (!(await d.coordinator.claimWin(ctx.bidId))) return 'duplicate';
    let billed = false;
    let win: RecentWin | undefined;
    try {
      const campaignCur = d.views.index.get(ctx.campaignId)?.c.currency ?? ctx.cur;
      const usd = toUsdMicros(d.ctx.rates, priceMicros, ctx.cur) ?? priceMicros;
      const cpm = fromUsdMicros(d.ctx.rates, usd, campaignCur) ?? usd;
      const spend: Spend = {
        eventId: ctx.bidId,
        ts: now,
        region: d.cfg.REGION,
        campaignId: ctx.campaignId,
        creativeId: ctx.creativeId,
        bidId: ctx.bidId,
        requestId: ctx.requestId,
        cpmMicros: cpm,
        amountMicros: impressionCostMicros(cpm),
        currency: campaignCur,
      };
      await d.spend.publish(spend);
      billed = true;
      d.views.budget.recordBilled(ctx.bidId, ctx.campaignId, spend.amountMicros, now);
      if (ctx.userId !== undefined && ctx.userId !== '') {
        win = { userId: ctx.userId, campaignId: ctx.campaignId, ts: now };
        d.ctx.recentWins?.record(win.userId, win.campaignId, now);
      }
      d.events.win({
        eventId: ctx.bidId,
        ts: now,
        region: d.cfg.REGION,
        bidId: ctx.bidId,
        requestId: ctx.requestId,
        impId: ctx.impId,
        campaignId: ctx.campaignId,
        creativeId: ctx.creativeId,
        clearingCpmMicros: cpm,
        currency: campaignCur,
        ...traffic(h),
      });
      return 'billed';
    } finally {
      d.coordinator.settleWin(ctx.bidId, billed, win);
    }
  };

  const traffic = (h: Hit) => {
    const t: {
      userId?: string;
      ip?: string;
      ua?: string;
      siteDomain?: string;
      appBundle?: string;
      publisherId?: string;
    } = {};
    if (h.ctx.userId !== undefined) t.userId = h.ctx.userId;
    if (h.ip !== '') t.ip = h.ip.slice(0, 64);
    if (h.ua !== '') t.ua = h.ua;
    if (h.ctx.siteDomain !== undefined) t.siteDomain = h.ctx.siteDomain;
    if (h.ctx.appBundle !== undefined) t.appBundle = h.ctx.appBundle;
    if (h.ctx.publisherId !== undefined) t.publisherId = h.ctx.publisherId;
    return t;
  };

  for (const [path, kind] of [
    [TRACK_PATHS.win, 'win'],
    [TRACK_PATHS.bill, 'bill'],
  ] as const) {
    app.get(path, bill(kind));
    app.post(path, bill(kind));
  }

  app.get(TRACK_PATHS.loss, (res, req) => {
    const h = hit('loss', res, req);
    if (!h) return;
    count('loss', 'ok');
    d.metrics.losses.inc({ reason: (h.query('loss') ?? 'unknown').slice(0, 8) });
    res.writeStatus('204 No Content').endWithoutBody();
  });

  app.get(TRACK_PATHS.imp, (res, req) => {
    const h = hit('imp', res, req);
    if (!h) return;
    count('imp', 'ok');
    const { ctx } = h;
    d.events.impression({
      eventId: ctx.bidId,
      ts: Date.now(),
      region: d.cfg.REGION,
      bidId: ctx.bidId,
      requestId: ctx.requestId,
      campaignId: ctx.campaignId,
      creativeId: ctx.creativeId,
      ...traffic(h),
    });
    res
      .writeStatus('200 OK')
      .writeHeader('content-type', 'image/gif')
      .writeHeader('cache-control', 'no-store')
      .end(PIXEL);
  });

  app.get(TRACK_PATHS.click, (res, req) => {
    const h = hit('click', res, req);
    if (!h) return;
    const { ctx } = h;
    const landing = d.views.index
      .get(ctx.campaignId)
      ?.c.creatives.find((c) => c.id === ctx.creativeId)?.landingUrl;
    if (landing === undefined) {
      count('click', 'unknown_creative');
      reply(res, 404, { error: 'unknown creative' });
      return;
    }
    count('click', 'ok');
    d.events.click({
      eventId: randomUUID(),
      ts: Date.now(),
      region: d.cfg.REGION,
      bidId: ctx.bidId,
      campaignId: ctx.campaignId,
      creativeId: ctx.creativeId,
      ...traffic(h),
    });
    res
      .writeStatus('302 Found')
      .writeHeader('location', landing)
      .writeHeader('cache-control', 'no-store')
      .end(); // empty body with Content-Length: 0, so clients do not wait for one
  });
}
