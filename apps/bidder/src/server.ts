import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import uWS, { type HttpRequest, type HttpResponse, type TemplatedApp } from 'uWebSockets.js';
import { parseBidRequest, type BidRequest } from '@streambid/contracts';
import { statusLine } from '@streambid/adapters';
import type { ServerDeps } from './deps.js';
import { finish, plan, releaseAll, type Outcome, type Plan } from './domain/decide.js';
import { deadlineAt, profileAllowed } from './domain/request.js';
import { boundCounter } from './metrics.js';
import { buildResponse } from './response.js';
import { registerTrackers } from './trackers.js';

interface Pending {
  aborted: boolean;
  done: boolean;
}

const JSON_TYPE = 'application/json';

function writeNoBid(res: HttpResponse, version: string): void {
  res.writeStatus('204 No Content');
  if (version !== '') res.writeHeader('x-openrtb-version', version);
  res.endWithoutBody();
}

function writeError(
  res: HttpResponse,
  code: number,
  error: string,
  field?: string,
  close = false,
): void {
  res
    .writeStatus(statusLine(code))
    .writeHeader('content-type', JSON_TYPE)
    .end(JSON.stringify(field === undefined ? { error } : { error, field }), close);
}

/** Builds the uWS app: bid endpoint, health, metrics, trackers, and 404/405 for the rest. */
export function createApp(d: ServerDeps): TemplatedApp {
  const app = uWS.App();
  const maxBody = d.cfg.BIDDER_MAX_BODY_BYTES;
  const bidPrefix = `${randomBytes(4).toString('hex')}-`;
  let bidSeq = 0;
  const nextBidId = (): string => bidPrefix + (++bidSeq).toString(36);
  // Label children bound once: the per-request increments skip prom-client's label hashing.
  const m = d.metrics;
  const byCode = boundCounter(m.requests, 'code');
  const answered = {
    ok: byCode('200'),
    noBid: byCode('204'),
    bad: byCode('400'),
    tooLarge: byCode('413'),
  };
  const skipped = boundCounter(m.profileLookups, 'result')('skipped');
  const noBidFor = boundCounter(m.noBids, 'reason');

  const answer = (
    res: HttpResponse,
    st: Pending,
    p: Plan,
    o: Outcome,
    version: string,
    t0: number,
    deadline: number,
  ): void => {
    if (st.aborted) {
      releaseAll(d.ctx, o.bids);
      return;
    }
    let code = 204;
    if (o.bids.length > 0 && performance.now() > deadline) {
      releaseAll(d.ctx, o.bids);
      o = { bids: [], reason: 'deadline' };
    }
    if (o.bids.length === 0) {
      noBidFor(o.reason).inc();
      writeNoBid(res, version);
    } else {
      code = 200;
      const body = buildResponse(d, p, o, version, nextBidId);
      res.writeStatus('200 OK').writeHeader('content-type', JSON_TYPE);
      if (version !== '') res.writeHeader('x-openrtb-version', version);
      res.end(body);
      m.bids.inc(o.bids.length);
    }
    st.done = true;
    (code === 200 ? answered.ok : answered.noBid).inc();
    m.latency.observe((performance.now() - t0) / 1000);
  };

  const decide = (
    res: HttpResponse,
    st: Pending,
    body: string,
    version: string,
    t0: number,
  ): void => {
    const parsed = parseBidRequest(body);
    if (!parsed.ok) {
      answered.bad.inc();
      writeError(res, 400, parsed.error, parsed.field);
      return;
    }
    const req: BidRequest = parsed.value;
    const tmax = req.tmax !== undefined && req.tmax > 0 ? req.tmax : d.cfg.BIDDER_DEFAULT_TMAX_MS;
    const deadline = deadlineAt(t0, tmax, d.cfg.BIDDER_TMAX_NETWORK_SHARE);
    const now = Date.now();
    if (!d.ready()) {
      answer(
        res,
        st,
        { req, cur: 'USD', userId: undefined, needsProfile: false, imps: [], reason: 'not_ready' },
        { bids: [], reason: 'not_ready' },
        version,
        t0,
        deadline,
      );
      return;
    }
    const p = plan(d.ctx, req, now);
    if (!p.needsProfile || p.reason !== undefined) {
      answer(res, st, p, finish(d.ctx, p, undefined, now), version, t0, deadline);
      return;
    }
    const timeout = Math.min(d.cfg.BIDDER_PROFILE_TIMEOUT_MS, deadline - performance.now());
    if (d.profiles === undefined || p.userId === undefined || timeout < 1 || !profileAllowed(req)) {
      skipped.inc();
      answer(res, st, p, finish(d.ctx, p, undefined, now), version, t0, deadline);
      return;
    }
    d.profiles.lookup(p.userId, timeout, now, (profile) => {
      const o = finish(d.ctx, p, profile, Date.now());
      if (st.aborted) releaseAll(d.ctx, o.bids);
      else res.cork(() => answer(res, st, p, o, version, t0, deadline));
    });
  };

  const bid = (res: HttpResponse, req: HttpRequest): void => {
    const t0 = performance.now();
    const version = req.getHeader('x-openrtb-version');
    const st: Pending = { aborted: false, done: false };
    res.onAborted(() => {
      st.aborted = true;
    });
    if (version !== '' && !version.startsWith('2.')) {
      st.done = true;
      answered.bad.inc();
      writeError(res, 400, `unsupported OpenRTB version ${version.slice(0, 16)}`);
      return;
    }
    const declared = Number(req.getHeader('content-length'));
    if (declared > maxBody) {
      st.done = true;
      answered.tooLarge.inc();
      // Keep the connection: closing while the client still writes its body makes it fail with
      // EPIPE before it reads the 413. uWS skips the rest of the declared body.
      writeError(res, 413, `body exceeds ${String(maxBody)} bytes`);
      return;
    }
    let chunks: Buffer[] | undefined;
    let size = 0;
    res.onData((ab, isLast) => {
      if (st.done || st.aborted) return;
      size += ab.byteLength;
      if (size > maxBody) {
        st.done = true;
        answered.tooLarge.inc();
        res.cork(() =>
          writeError(res, 413, `body exceeds ${String(maxBody)} bytes`, undefined, true),
        );
        return;
      }
      if (isLast && chunks === undefined) {
        // Single chunk: decode straight from uWS's buffer (toString copies before it is detached).
        const body = Buffer.from(ab).toString('utf8');
        res.cork(() => decide(res, st, body, version, t0));
        return;
      }
      (chunks ??= []).push(Buffer.from(new Uint8Array(ab).slice()));
      if (isLast) {
        const body = Buffer.concat(chunks, size).toString('utf8');
        res.cork(() => decide(res, st, body, version, t0));
      }
    });
  };

  app.post('/openrtb2/bid', bid);
  app.any('/openrtb2/bid', (res) => writeError(res, 405, 'use POST'));

  app.get('/healthz', (res) => {
    const ok = d.ready() && d.coordinator.allReady();
    res
      .writeStatus(ok ? '200 OK' : '503 Service Unavailable')
      .writeHeader('content-type', JSON_TYPE)
      .end(JSON.stringify({ status: ok ? 'ok' : 'starting' }));
  });
  app.any('/healthz', (res) => writeError(res, 405, 'use GET'));

  app.get('/metrics', (res) => {
    const st = { aborted: false };
    res.onAborted(() => {
      st.aborted = true;
    });
    d.coordinator.metricsText().then(
      (text) => {
        if (!st.aborted)
          res.cork(() =>
            res
              .writeStatus('200 OK')
              .writeHeader('content-type', 'text/plain; version=0.0.4; charset=utf-8')
              .end(text),
          );
      },
      (err: unknown) => {
        d.logger.warn({ err }, 'metrics collection failed');
        if (!st.aborted) res.cork(() => writeError(res, 500, 'metrics unavailable'));
      },
    );
  });
  app.any('/metrics', (res) => writeError(res, 405, 'use GET'));

  registerTrackers(app, d);
  app.any('/*', (res) => writeError(res, 404, 'not found'));
  return app;
}

export type { ServerDeps } from './deps.js';
