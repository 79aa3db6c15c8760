import uWS from 'uWebSockets.js';
import {
  createHandlerGuard,
  listen,
  opsRoutes,
  writeJson,
  writeText,
  type Logger,
  type Registry,
} from '@streambid/adapters';
import { formatReport } from '../report/format.js';
import { parseReportParams, type ReportParams } from '../report/params.js';
import type { ReportRow } from '../report/query.js';

/** What the HTTP layer needs from the service. */
export interface HttpDeps {
  report: (p: ReportParams) => Promise<{ rows: ReportRow[]; rowsRead: number }>;
  healthy: () => boolean;
  metrics: Registry;
  logger: Logger;
}

/** Query parameters by name; no prototype, so `__proto__` is an unknown parameter like any other. */
function queryParams(q: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of new URLSearchParams(q)) out[k === 'minScore' ? 'min-score' : k] = v;
  return out;
}

/**
 * Reports, health and metrics over uWebSockets.js. Resolves with a `close` once listening. Every
 * route runs under the HTTP guard: a throw (in a handler or in a report's continuation) is
 * answered 500 and counted in `http_handler_errors_total`, and the process keeps serving.
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
    guard.route('reports_fraud', (res, req) => {
      let aborted = false;
      res.onAborted(() => {
        aborted = true;
      });
      // Copy request data now: uWS reuses `req` after this callback returns.
      const parsed = parseReportParams(queryParams(req.getQuery() ?? ''));
      if (!parsed.ok) {
        writeJson(res, 400, { error: parsed.error.message, param: parsed.error.param });
        return;
      }
      const p = parsed.params;
      deps.report(p).then(
        (found) =>
          guard.later(res, 'reports_fraud', () => {
            if (aborted) return;
            const { rows, rowsRead } = found;
            res.cork(() => {
              if (p.format === 'json') writeJson(res, 200, { rows, rowsRead });
              else
                writeText(
                  res,
                  200,
                  formatReport(rows, p.format),
                  p.format === 'csv' ? 'text/csv; charset=utf-8' : undefined,
                );
            });
          }),
        (err: unknown) =>
          guard.later(res, 'reports_fraud', () => {
            log.error({ err }, 'report failed');
            if (!aborted) res.cork(() => writeJson(res, 500, { error: 'report failed' }));
          }),
      );
    }),
  );
  app.any(
    '/*',
    guard.route('not_found', (res) => writeJson(res, 404, { error: 'not found' })),
  );
  const listening = await listen(app, undefined, port, 'CLICKFRAUD_PORT');
  return { port: listening.port, close: () => listening.close() };
}
