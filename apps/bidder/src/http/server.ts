import { performance } from 'node:perf_hooks';
import uWS, { type HttpRequest, type HttpResponse, type TemplatedApp } from 'uWebSockets.js';
import { createHandlerGuard, statusLine } from '@streambid/adapters';
import { createBidFlow, type BidAnswer, type BidCall } from './bid-flow.js';
import { DEFAULT_EXCHANGE } from '../domain/exchanges.js';
import type { ServerDeps } from '../deps.js';
import { boundCounter } from '../metrics.js';
import { registerTrackers } from './trackers.js';

const JSON_TYPE = 'application/json';

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

/** Writes a flow's answer; the OpenRTB version header is echoed on bids and no-bids. */
function writeAnswer(res: HttpResponse, a: BidAnswer, version: string): void {
  if (a.status === 200) {
    res.writeStatus('200 OK').writeHeader('content-type', JSON_TYPE);
    if (version !== '') res.writeHeader('x-openrtb-version', version);
    res.end(a.body);
  } else if (a.status === 204) {
    res.writeStatus('204 No Content');
    if (version !== '') res.writeHeader('x-openrtb-version', version);
    res.endWithoutBody();
  } else {
    writeError(res, a.status, a.error, a.status === 400 ? a.field : undefined);
  }
}

/**
 * A request content type we parse as JSON: none (some exchanges send none), `application/json`,
 * `*+json`, or `text/plain` (what a browser's or fetch's plain string body says).
 */
function jsonContentType(ct: string): boolean {
  if (ct === '') return true;
  const semi = ct.indexOf(';');
  const base = (semi < 0 ? ct : ct.slice(0, semi)).trim().toLowerCase();
  return base === 'application/json' || base === 'text/plain' || base.endsWith('+json');
}

/** Builds the uWS app: bid endpoint, health, metrics, trackers, and 404/405 for the rest. */
export function createApp(d: ServerDeps): TemplatedApp {
  const app = uWS.App();
  const maxBody = d.cfg.BIDDER_MAX_BODY_BYTES;
  const guard = createHandlerGuard({ registry: d.registry, logger: d.logger });
  const flow = createBidFlow(d);
  const byCode = boundCounter(d.metrics.requests, 'code');
  const bad = byCode('400');
  const tooLarge = byCode('413');

  /** Parses and answers once the whole body is in; the flow never throws. */
  const decide = (res: HttpResponse, call: BidCall): void => {
    flow.run(call, (a) => {
      if (!call.aborted) res.cork(() => writeAnswer(res, a, call.version));
    });
  };

  const exchanges = d.cfg.BIDDER_EXCHANGES;
  const bid = (res: HttpResponse, req: HttpRequest, exchange: string): void => {
    const t0 = performance.now();
    const version = req.getHeader('x-openrtb-version');
    let done = false;
    let call: BidCall | undefined;
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
      if (call) call.aborted = true;
    });
    if (version !== '' && !version.startsWith('2.')) {
      done = true;
      bad.inc();
      writeError(res, 400, `unsupported OpenRTB version ${version.slice(0, 16)}`);
      return;
    }
    const contentType = req.getHeader('content-type');
    if (!jsonContentType(contentType)) {
      done = true;
      bad.inc();
      writeError(
        res,
        400,
        `unsupported content type ${JSON.stringify(contentType.slice(0, 64))}; send application/json`,
        'content-type',
      );
      return;
    }
    const declared = Number(req.getHeader('content-length'));
    if (declared > maxBody) {
      done = true;
      tooLarge.inc();
      // Keep the connection: closing while the client still writes its body makes it fail with
      // EPIPE before it reads the 413. uWS skips the rest of the declared body.
      writeError(res, 413, `body exceeds ${String(maxBody)} bytes`);
      return;
    }
    let chunks: Buffer[] | undefined;
    let size = 0;
    const start = (body: string): void => {
      call = { body, version, exchange, t0, aborted };
      const c = call;
      res.cork(() => guard.later(res, 'bid', () => decide(res, c)));
    };
    res.onData((ab, isLast) => {
      if (done || aborted) return;
      size += ab.byteLength;
      if (size > maxBody) {
        done = true;
        tooLarge.inc();
        res.cork(() =>
          writeError(res, 413, `body exceeds ${String(maxBody)} bytes`, undefined, true),
        );
        return;
      }
      if (isLast && chunks === undefined) {
        // Single chunk: decode straight from uWS's buffer (toString copies before it is detached).
        start(Buffer.from(ab).toString('utf8'));
        return;
      }
      (chunks ??= []).push(Buffer.from(new Uint8Array(ab).slice()));
      if (isLast) start(Buffer.concat(chunks, size).toString('utf8'));
    });
  };

  app.post(
    '/openrtb2/bid',
    guard.route('bid', (res, req) => bid(res, req, DEFAULT_EXCHANGE)),
  );
  app.post(
    '/openrtb2/bid/:exchange',
    guard.route('bid', (res, req) => {
      // uWS hands path parameters undecoded; exchange ids are plain lower-case ASCII.
      const id = req.getParameter(0) ?? '';
      if (!exchanges.has(id)) {
        bad.inc();
        writeError(res, 404, `unknown exchange ${JSON.stringify(id.slice(0, 64))}`, 'exchange');
        return;
      }
      bid(res, req, id);
    }),
  );
  app.any('/openrtb2/bid/*', (res) => writeError(res, 405, 'use POST'));
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

  registerTrackers(app, d, guard);
  app.any('/*', (res) => writeError(res, 404, 'not found'));
  return app;
}

export type { ServerDeps } from '../deps.js';
