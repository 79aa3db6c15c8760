import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { parseBidRequest, type BidRequest } from '@streambid/contracts';
import type { ServerDeps } from '../deps.js';
import { finish, plan, releaseAll, type Outcome, type Plan } from '../domain/decide.js';
import { NO_BID, type NoBid } from '../domain/no-bid.js';
import { PREBID_REASONS } from '../domain/prebid.js';
import { decide as decidePrivacy, UNRESTRICTED } from '@streambid/privacy';
import { deadlineAt } from '../domain/request.js';
import { boundCounter } from '../metrics.js';
import { buildResponse } from './response.js';

/** What a bid request is answered with; the HTTP edge only writes it. */
export type BidAnswer =
  | { status: 200; body: string }
  | { status: 204 }
  | { status: 400; error: string; field?: string | undefined }
  | { status: 500; error: string };

/**
 * One bid request as it travels through parse → plan → profile → finish → answer. The edge
 * creates it and sets `aborted` when the client goes away; the flow fills in the rest.
 */
export interface BidCall {
  readonly body: string;
  /** `x-openrtb-version` header, '' when absent. */
  readonly version: string;
  /** The exchange it came from (`/openrtb2/bid/<exchange>`; `default` without one). */
  readonly exchange: string;
  /** Arrival, `performance.now()` clock. */
  readonly t0: number;
  aborted: boolean;
  req?: BidRequest;
  /** Past this (`performance.now()` clock) we answer no-bid. */
  deadline?: number;
  plan?: Plan;
}

/** Runs bid calls for one serving thread: parse, decide, build the response, count. */
export interface BidFlow {
  /**
   * Answers `call` through `answer`, exactly once, synchronously or after the profile lookup.
   * Never throws: an exception is answered 500 and counted (`bidder_requests_total{code="500"}`).
   */
  run(call: BidCall, answer: (a: BidAnswer) => void): void;
}

const INTERNAL: BidAnswer = { status: 500, error: 'internal error' };

/** Builds the flow over a thread's dependencies; label children bound once for the hot path. */
export function createBidFlow(d: ServerDeps): BidFlow {
  const m = d.metrics;
  const byCode = boundCounter(m.requests, 'code');
  const answered = {
    ok: byCode('200'),
    noBid: byCode('204'),
    bad: byCode('400'),
    bug: byCode('500'),
  };
  const skipped = boundCounter(m.profileLookups, 'result')('skipped');
  const noBidFor = boundCounter(m.noBids, 'reason');
  const ivtFor = boundCounter(m.prebidIvt, 'reason');
  // Every reason shows on /metrics from the start (at 0), so a rate over it is defined at once.
  for (const r of PREBID_REASONS) ivtFor(r);
  const exchanges = d.cfg.BIDDER_EXCHANGES;
  /** 204, or for an exchange that takes a body the OpenRTB no-bid with its reason code. */
  const noBidAnswer = (call: BidCall, reason: NoBid): BidAnswer =>
    exchanges.get(call.exchange)?.noBid === 'nbr'
      ? {
          status: 200,
          body: JSON.stringify({ id: call.req?.id ?? '', seatbid: [], nbr: NO_BID[reason] }),
        }
      : { status: 204 };
  let bidSeq = 0;
  // Unique per thread and start: bid ids never repeat across workers or restarts.
  const bidPrefix = `${randomBytes(4).toString('hex')}-`;
  const nextBidId = (): string => bidPrefix + (++bidSeq).toString(36);

  const fail = (call: BidCall, err: unknown, answer: (a: BidAnswer) => void): void => {
    answered.bug.inc();
    d.logger.error({ err, version: call.version }, 'bid request failed; answered 500');
    answer(INTERNAL);
  };

  /** The last step: bid or no-bid, within the deadline; pacing tokens go back if we do not bid. */
  const settle = (call: BidCall, p: Plan, o: Outcome, answer: (a: BidAnswer) => void): void => {
    if (call.aborted) {
      releaseAll(d.ctx, o.bids);
      return;
    }
    if (o.bids.length > 0 && performance.now() > (call.deadline ?? Infinity)) {
      releaseAll(d.ctx, o.bids);
      o = { bids: [], reason: 'deadline' };
    }
    m.privacyRules.inc({ rule: p.privacy.rule, outcome: o.bids.length === 0 ? 'nobid' : 'bid' });
    if (p.ivt !== undefined) ivtFor(p.ivt).inc();
    if (o.bids.length === 0) {
      noBidFor(o.reason).inc();
      const a = noBidAnswer(call, o.reason);
      (a.status === 204 ? answered.noBid : answered.ok).inc();
      answer(a);
    } else {
      const body = buildResponse(d, p, o, call, nextBidId);
      m.bids.inc(o.bids.length);
      answered.ok.inc();
      answer({ status: 200, body });
    }
    m.latency.observe((performance.now() - call.t0) / 1000);
  };

  const decide = (call: BidCall, answer: (a: BidAnswer) => void): void => {
    const parsed = parseBidRequest(call.body);
    if (!parsed.ok) {
      answered.bad.inc();
      answer({ status: 400, error: parsed.error, field: parsed.field });
      return;
    }
    const req = parsed.value;
    call.req = req;
    const tmax = req.tmax !== undefined && req.tmax > 0 ? req.tmax : d.cfg.BIDDER_DEFAULT_TMAX_MS;
    call.deadline = deadlineAt(call.t0, tmax, d.cfg.BIDDER_TMAX_NETWORK_SHARE);
    const now = Date.now();
    if (!d.ready()) {
      const p: Plan = {
        req,
        cur: 'USD',
        userId: undefined,
        needsProfile: false,
        imps: [],
        reason: 'not_ready',
        privacy: UNRESTRICTED,
        dsa: 0,
        ivt: undefined,
        flagged: false,
      };
      settle(call, p, { bids: [], reason: 'not_ready' }, answer);
      return;
    }
    // Signals parsed once (strings cached), decided once: every later step reads the decision.
    const privacy = decidePrivacy(d.privacy.reader.read(req), d.privacy.config);
    const p = plan(d.ctx, req, now, privacy);
    call.plan = p;
    if (!p.needsProfile || p.reason !== undefined) {
      settle(call, p, finish(d.ctx, p, undefined, now), answer);
      return;
    }
    const timeout = Math.min(d.cfg.BIDDER_PROFILE_TIMEOUT_MS, call.deadline - performance.now());
    if (d.profiles === undefined || p.userId === undefined || timeout < 1) {
      skipped.inc();
      settle(call, p, finish(d.ctx, p, undefined, now), answer);
      return;
    }
    d.profiles.lookup(p.userId, timeout, now, (profile) => {
      // A continuation: an exception here would escape every handler, so it is caught here too.
      try {
        settle(call, p, finish(d.ctx, p, profile, Date.now()), answer);
      } catch (err) {
        fail(call, err, answer);
      }
    });
  };

  return {
    run(call, answer) {
      try {
        decide(call, answer);
      } catch (err) {
        fail(call, err, answer);
      }
    },
  };
}
