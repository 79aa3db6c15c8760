import { randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { QueueFullError, writeJson, type HandlerGuard } from '@streambid/adapters';
import { LIMITS, type BillingNotice } from '@streambid/contracts';
import { TRACK_PATHS } from '../domain/macros.js';
import { TtlSet } from '../domain/lru.js';
import {
  decodeToken,
  tokenTtlOf,
  type BidContext,
  type TokenRefusal,
  type TrackerKind,
} from '../domain/token.js';
import {
  campaignPrice,
  clearingMicros,
  lossClearingMicros,
  clickEvent,
  impressionEvent,
  lossEvent,
  lossReason,
  spendOf,
  winEvent,
  type CampaignPrice,
  type HitFacts,
} from '../domain/tracker-events.js';
import type { BilledSpend } from '../stream/billing.js';
import type { RecentWin } from '../runtime/coordinator.js';
import type { ServerDeps } from '../deps.js';

// 1×1 transparent GIF for the impression pixel.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** A macro the exchange did not substitute is absent, not a value. */
function macroValue(v: string): string | undefined {
  return v === '' || v.startsWith('${') || v.startsWith('%24%7B') ? undefined : v;
}

/** OpenRTB 2.6 loss reason codes (list 5.25) that get their own metric label. */
const KNOWN_LOSS_CODES = new Set([
  0, 1, 2, 3, 4, 5, 100, 101, 102, 103, 104, 105, 200, 201, 202, 203, 204, 205, 206, 207, 208, 209,
  210, 211, 212, 213,
]);

/**
 * The `reason` label of a loss notice: a code of the spec's list, `exchange` for the
 * exchange-specific range (1000 and up), else `other`; `unknown` when the macro was not filled.
 * A label taken from the client as it came would add a metric series per distinct value sent.
 */
export function lossLabel(v: string | undefined): string {
  if (v === undefined) return 'unknown';
  const code = lossReason(v);
  if (code === undefined) return 'other';
  if (KNOWN_LOSS_CODES.has(code)) return String(code);
  return code >= 1000 ? 'exchange' : 'other';
}

const REFUSED: Record<TokenRefusal, string> = {
  malformed: 'invalid tracking token',
  unknown_key: 'tracking token signed with a key no longer accepted',
  forged: 'invalid or tampered tracking token, or a token of another tracker',
  expired: 'tracking token expired',
};

/** Request data copied before any await (uWS request objects die with the handler). */
interface Hit extends HitFacts {
  ctx: BidContext;
  query: (k: string) => string | undefined;
}

/** How a billing attempt ended, for the answer and the metrics. */
type BillOutcome = 'billed' | 'duplicate' | 'busy' | 'starting' | 'queue_full' | 'late' | 'error';

const RETRY = { 'retry-after': '1' };

export function registerTrackers(app: TemplatedApp, d: ServerDeps, guard: HandlerGuard): void {
  const region = d.cfg.REGION;
  const ttl = tokenTtlOf(d.cfg);
  const deadlineMs = d.cfg.BIDDER_BILLING_DEADLINE_MS;
  const trustForwarded = d.cfg.BIDDER_TRUST_FORWARDED;
  // Win events are best effort once per bid per thread (downstream dedupes by bid id anyway).
  const winsSeen = new TtlSet(100_000, ttl.noticeMs);
  const clientIp = (res: HttpResponse, req: HttpRequest): string => {
    if (trustForwarded) {
      const first = req.getHeader('x-forwarded-for').split(',')[0]?.trim() ?? '';
      if (first !== '' && first.length <= LIMITS.ip) return first;
    }
    return Buffer.from(res.getRemoteAddressAsText()).toString('utf8');
  };
  const count = (kind: string, outcome: string): void => d.metrics.trackers.inc({ kind, outcome });
  const billOnOf = (ctx: BidContext): BillingNotice =>
    d.cfg.BIDDER_EXCHANGES.get(ctx.exchange)?.billOn ?? 'burl';
  const priceOf = (ctx: BidContext, priceMicros: number): CampaignPrice =>
    campaignPrice(ctx, priceMicros, d.ctx.rates, d.views.index.get(ctx.campaignId)?.c.currency);

  /** Verifies the token for `kind`; answers 400 itself and returns undefined when refused. */
  const hit = (kind: TrackerKind, res: HttpResponse, req: HttpRequest): Hit | undefined => {
    const r = decodeToken(d.keys, kind, req.getQuery('t') ?? '', Date.now(), ttl);
    if (!r.ok) {
      count(kind, r.refusal);
      writeJson(res, 400, { error: REFUSED[r.refusal], field: 't' });
      return undefined;
    }
    const q = new Map<string, string>();
    for (const k of ['price', 'auction', 'bid', 'imp', 'loss']) {
      const v = macroValue(req.getQuery(k) ?? '');
      if (v !== undefined) q.set(k, v);
    }
    return {
      ctx: r.ctx,
      query: (k) => q.get(k),
      ip: clientIp(res, req),
      // The events' bound (an over-long header would fail every event it reaches).
      ua: req.getHeader('user-agent').slice(0, LIMITS.ua),
    };
  };

  /** The clearing price of a notice, or the 400 it deserves (answered here). */
  const noticePrice = (kind: TrackerKind, res: HttpResponse, h: Hit): number | undefined => {
    const price = clearingMicros(h.query('price'), h.ctx);
    const a = h.query('auction');
    const b = h.query('bid');
    const i = h.query('imp');
    let bad = typeof price === 'string' ? price : undefined;
    let field = 'price';
    if (bad === undefined && a !== undefined && a !== h.ctx.requestId)
      [bad, field] = ['auction id does not match the bid', 'auction'];
    if (bad === undefined && b !== undefined && b !== h.ctx.bidId)
      [bad, field] = ['bid id does not match the bid', 'bid'];
    if (bad === undefined && i !== undefined && i !== h.ctx.impId)
      [bad, field] = ['imp id does not match the bid', 'imp'];
    if (bad !== undefined || typeof price === 'string') {
      count(kind, 'rejected');
      writeJson(res, 400, { error: bad ?? 'bad price', field });
      return undefined;
    }
    return price;
  };

  /** The win is recorded (event, frequency caps) once per bid, whatever the notice. */
  const recordWin = (h: Hit, price: CampaignPrice, now: number): RecentWin | undefined => {
    const { ctx } = h;
    if (!winsSeen.add(ctx.bidId, now)) return undefined;
    d.events.win(winEvent(ctx, h, price, { region, now }));
    if (ctx.test || ctx.userId === undefined || ctx.userId === '') return undefined;
    const win = { userId: ctx.userId, campaignId: ctx.campaignId, ts: now };
    d.ctx.recentWins?.record(win.userId, win.campaignId, now);
    return win;
  };

  /**
   * Writes the bid's spend once. Answers within the billing deadline: billed, duplicate (its spend
   * is in the log), or a retriable 503 — the spend may still land, and the retry is then a
   * duplicate; if it does not, the retry bills.
   */
  const bill = async (
    h: Hit,
    price: CampaignPrice,
    notice: BillingNotice,
  ): Promise<BillOutcome> => {
    const { ctx } = h;
    const claim = await d.coordinator.claimWin(ctx.bidId);
    if (claim === 'billed') return 'duplicate';
    if (claim !== 'claimed') return claim;
    const now = Date.now();
    const spend = spendOf(ctx, price, { region, now, notice });
    const written = d.spend.publish(spend).then((): BilledSpend => {
      d.views.budget.recordBilled(ctx.bidId, ctx.campaignId, spend.amountMicros);
      return { ts: spend.ts, cpmMicros: spend.cpmMicros, amountMicros: spend.amountMicros };
    });
    // The claim ends when the broker answers, whatever the notice was told meanwhile.
    written.then(
      (billed) => d.coordinator.settleWin(ctx.bidId, billed, recordWin(h, price, now)),
      (err: unknown) => {
        d.metrics.produceErrors.inc();
        d.logger.error({ err, bidId: ctx.bidId }, 'spend not recorded; the retry will bill');
        d.coordinator.settleWin(ctx.bidId, undefined);
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), deadlineMs);
    });
    try {
      return await Promise.race([written.then(() => 'billed' as const), late]);
    } catch (err) {
      return err instanceof QueueFullError ? 'queue_full' : 'error';
    } finally {
      clearTimeout(timer);
    }
  };

  const answerBill = (res: HttpResponse, outcome: BillOutcome): void => {
    if (outcome === 'billed') writeJson(res, 200, { billed: true, duplicate: false });
    else if (outcome === 'duplicate') writeJson(res, 200, { billed: false, duplicate: true });
    else
      writeJson(
        res,
        503,
        { error: `spend not recorded (${outcome}), retry`, retriable: true },
        RETRY,
      );
  };

  /** A notice that bills (burl; nurl for an exchange that bills on it). */
  const billingNotice = (
    kind: TrackerKind,
    res: HttpResponse,
    h: Hit,
    price: number,
    notice: BillingNotice,
  ): void => {
    const aborted = { v: false };
    res.onAborted(() => {
      aborted.v = true;
    });
    const cp = priceOf(h.ctx, price);
    if (h.ctx.test) {
      // Test traffic is answered as usual but never billed.
      if (notice === 'nurl') recordWin(h, cp, Date.now());
      count(kind, 'test');
      writeJson(res, 200, { billed: false, test: true });
      return;
    }
    if (notice === 'nurl') recordWin(h, cp, Date.now());
    // Continuations run outside any route handler: the guard answers 500 if one throws.
    void bill(h, cp, notice).then(
      (outcome) =>
        guard.later(res, kind, () => {
          count(kind, outcome);
          if (!aborted.v) res.cork(() => answerBill(res, outcome));
        }),
      (err: unknown) =>
        guard.later(res, kind, () => {
          count(kind, 'error');
          d.logger.error({ err, bidId: h.ctx.bidId }, 'billing failed');
          if (!aborted.v) res.cork(() => answerBill(res, 'error'));
        }),
    );
  };

  /** A handler of a notice that carries the clearing price: refusals are answered before `handle`. */
  const pricedNotice =
    (kind: 'win' | 'bill', handle: (res: HttpResponse, h: Hit, price: number) => void) =>
    (res: HttpResponse, req: HttpRequest): void => {
      const h = hit(kind, res, req);
      if (!h) return;
      const price = noticePrice(kind, res, h);
      if (price !== undefined) handle(res, h, price);
    };

  // Win notice: records the win; bills only for an exchange configured to bill on it.
  const onWin = pricedNotice('win', (res, h, price) => {
    if (billOnOf(h.ctx) === 'nurl') {
      billingNotice('win', res, h, price, 'nurl');
      return;
    }
    const win = recordWin(h, priceOf(h.ctx, price), Date.now());
    if (win) d.coordinator.shareWin(win);
    count('win', 'won');
    writeJson(res, 200, { won: true, billed: false });
  });

  // Billing notice: the impression is billable (OpenRTB 2.6 `burl`).
  const onBill = pricedNotice('bill', (res, h, price) => {
    if (billOnOf(h.ctx) === 'nurl') {
      // That exchange bills on the win notice: the billing notice never writes spend.
      count('bill', 'bills_on_nurl');
      writeJson(res, 200, { billed: false, billsOn: 'nurl' });
      return;
    }
    billingNotice('bill', res, h, price, 'burl');
  });

  for (const [path, kind, handler] of [
    [TRACK_PATHS.win, 'win', onWin],
    [TRACK_PATHS.bill, 'bill', onBill],
  ] as const) {
    app.get(path, guard.route(kind, handler));
    app.post(path, guard.route(kind, handler));
  }

  app.get(
    TRACK_PATHS.loss,
    guard.route('loss', (res, req) => {
      const h = hit('loss', res, req);
      if (!h) return;
      const v = lossClearingMicros(h.query('price'), h.ctx);
      count('loss', 'ok');
      d.metrics.losses.inc({ reason: lossLabel(h.query('loss')) });
      d.events.loss(
        lossEvent(h.ctx, {
          region,
          now: Date.now(),
          reason: lossReason(h.query('loss')),
          clearing: v === undefined ? undefined : priceOf(h.ctx, v).cpmMicros,
        }),
      );
      res.writeStatus('204 No Content').endWithoutBody();
    }),
  );

  app.get(
    TRACK_PATHS.imp,
    guard.route('imp', (res, req) => {
      const h = hit('imp', res, req);
      if (!h) return;
      count('imp', 'ok');
      d.events.impression(impressionEvent(h.ctx, h, region, Date.now()));
      res
        .writeStatus('200 OK')
        .writeHeader('content-type', 'image/gif')
        .writeHeader('cache-control', 'no-store')
        .end(PIXEL);
    }),
  );

  app.get(
    TRACK_PATHS.click,
    guard.route('click', (res, req) => {
      const h = hit('click', res, req);
      if (!h) return;
      const { ctx } = h;
      const landing = d.views.index
        .get(ctx.campaignId)
        ?.c.creatives.find((c) => c.id === ctx.creativeId)?.landingUrl;
      if (landing === undefined) {
        count('click', 'unknown_creative');
        writeJson(res, 404, { error: 'unknown creative' });
        return;
      }
      count('click', 'ok');
      d.events.click(clickEvent(ctx, h, { eventId: randomUUID(), region, now: Date.now() }));
      res
        .writeStatus('302 Found')
        .writeHeader('location', landing)
        .writeHeader('cache-control', 'no-store')
        .end(); // empty body with Content-Length: 0, so clients do not wait for one
    }),
  );
}
