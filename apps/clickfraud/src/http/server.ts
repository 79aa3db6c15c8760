import uWS, { type HttpResponse } from 'uWebSockets.js';
import {
  createHandlerGuard,
  listen,
  opsRoutes,
  writeJson,
  writeText,
  type HandlerGuard,
  type Logger,
  type Registry,
} from '@streambid/adapters';
import type { DeliveryReport } from '../report/delivery.js';
import {
  checkBounds,
  parseDeliveryParams,
  type DeliveryParams,
  type ReportBounds,
} from '../report/delivery-params.js';
import { formatReport } from '../report/format.js';
import { parseReportParams, type ReportParams } from '../report/params.js';
import type { ReportRow } from '../report/query.js';
import { bearerRefusal } from './auth.js';

/** What the HTTP layer needs from the service. */
export interface HttpDeps {
  /** The fraud report; queries run read-only with a maximum execution time (main.ts). */
  report: (p: ReportParams) => Promise<{ rows: ReportRow[]; rowsRead: number }>;
  /** The delivery report, likewise; absent: `/reports/delivery` answers 404. */
  delivery?: (p: DeliveryParams) => Promise<DeliveryReport>;
  healthy: () => boolean;
  metrics: Registry;
  logger: Logger;
  /** Bearer token of `/reports/*` (none: every report request is refused) and the bounds. */
  access: { token: string | undefined } & ReportBounds;
}

/** Query parameters by name; no prototype, so `__proto__` is an unknown parameter like any other. */
function queryParams(q: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of new URLSearchParams(q)) out[k === 'minScore' ? 'min-score' : k] = v;
  return out;
}

/**
 * A ClickHouse error of a query stopped by `max_execution_time` (TIMEOUT_EXCEEDED, code 159), or
 * the client's own request timeout: the report is refused with 503, not failed with 500.
 */
export function isTimeout(err: unknown): boolean {
  const e = err as { code?: unknown; type?: unknown; message?: unknown };
  return (
    e.code === '159' ||
    e.type === 'TIMEOUT_EXCEEDED' ||
    (typeof e.message === 'string' && /Timeout exceeded|Timeout error/i.test(e.message))
  );
}

/**
 * One report route: bearer token (401 with the reason), parameters and bounds (400 naming the
 * parameter), then the query; a query over its time answers 503 with the reason.
 */
function reportRoute<P>(
  guard: HandlerGuard,
  log: Logger,
  name: string,
  access: HttpDeps['access'],
  parse: (
    q: Record<string, string>,
  ) => { ok: true; params: P } | { ok: false; error: { message: string; param: string } },
  run: (p: P) => Promise<unknown>,
  write: (res: HttpResponse, p: P, found: unknown) => void,
) {
  return guard.route(name, (res, req) => {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    // Copy request data now: uWS reuses `req` after this callback returns.
    const refusal = bearerRefusal(req.getHeader('authorization'), access.token);
    if (refusal !== null) {
      writeJson(res, 401, { error: refusal }, { 'www-authenticate': 'Bearer' });
      return;
    }
    const parsed = parse(queryParams(req.getQuery() ?? ''));
    if (!parsed.ok) {
      writeJson(res, 400, { error: parsed.error.message, param: parsed.error.param });
      return;
    }
    const p = parsed.params;
    run(p).then(
      (found) =>
        guard.later(res, name, () => {
          if (!aborted) res.cork(() => write(res, p, found));
        }),
      (err: unknown) =>
        guard.later(res, name, () => {
          const timeout = isTimeout(err);
          if (timeout) log.warn({ err, route: name }, 'report timed out');
          else log.error({ err, route: name }, 'report failed');
          if (aborted) return;
          res.cork(() =>
            timeout
              ? writeJson(res, 503, {
                  error:
                    'report timed out: the query ran over the maximum execution time; narrow the window or the grouping',
                })
              : writeJson(res, 500, { error: 'report failed' }),
          );
        }),
    );
  });
}

/** A window and a limit inside the bounds; the error names `to` (window) or `limit`. */
function bounded<P extends { from?: number | undefined; to?: number | undefined; limit: number }>(
  parsed: { ok: true; params: P } | { ok: false; error: { message: string; param: string } },
  bounds: ReportBounds,
): { ok: true; params: P } | { ok: false; error: { message: string; param: string } } {
  if (!parsed.ok) return parsed;
  const over = checkBounds(parsed.params, bounds);
  return over === null ? parsed : { ok: false, error: over };
}

/**
 * Reports, health and metrics over uWebSockets.js. Resolves with a `close` once listening. Every
 * route runs under the HTTP guard: a throw (in a handler or in a report's continuation) is
 * answered 500 and counted in `http_handler_errors_total`, and the process keeps serving.
 * `/reports/*` need the bearer token and are bounded; `/healthz` and `/metrics` are open.
 */
export async function startHttp(
  port: number,
  deps: HttpDeps,
): Promise<{ port: number; close: () => void }> {
  const log = deps.logger.child({ module: 'http' });
  const guard = createHandlerGuard({ registry: deps.metrics, logger: deps.logger });
  const app = opsRoutes(uWS.App(), {
    registry: deps.metrics,
    health: () => ({ ok: deps.healthy() }),
    guard,
  });
  app.get(
    '/reports/fraud',
    reportRoute(
      guard,
      log,
      'reports_fraud',
      deps.access,
      (q) => bounded(parseReportParams(q), deps.access),
      (p) => deps.report(p),
      (res, p, found) => {
        const { rows, rowsRead } = found as { rows: ReportRow[]; rowsRead: number };
        if (p.format === 'json') writeJson(res, 200, { rows, rowsRead });
        else
          writeText(
            res,
            200,
            formatReport(rows, p.format),
            p.format === 'csv' ? 'text/csv; charset=utf-8' : undefined,
          );
      },
    ),
  );
  const delivery = deps.delivery;
  if (delivery)
    app.get(
      '/reports/delivery',
      reportRoute(
        guard,
        log,
        'reports_delivery',
        deps.access,
        // A run is a CLI matter (a reports directory on disk): over HTTP only a window.
        (q) =>
          bounded(
            parseDeliveryParams(q, ['from', 'to', 'by', 'campaign', 'limit', 'version']),
            deps.access,
          ),
        (p) => delivery(p),
        (res, _p, found) => writeJson(res, 200, found),
      ),
    );
  app.any(
    '/*',
    guard.route('not_found', (res) => writeJson(res, 404, { error: 'not found' })),
  );
  const listening = await listen(app, undefined, port, 'CLICKFRAUD_PORT');
  return { port: listening.port, close: () => listening.close() };
}
