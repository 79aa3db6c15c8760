import uWS from 'uWebSockets.js';
import { writeJson, writeText, type Logger, type Registry } from '@streambid/adapters';
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

function queryParams(q: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(q)) out[k === 'minScore' ? 'min-score' : k] = v;
  return out;
}

/** Reports, health and metrics over uWebSockets.js. Resolves with a `close` once listening. */
export async function startHttp(
  port: number,
  deps: HttpDeps,
): Promise<{ port: number; close: () => void }> {
  const log = deps.logger.child({ module: 'http' });
  const app = uWS.App();
  app.get('/healthz', (res) => {
    const ok = deps.healthy();
    writeJson(res, ok ? 200 : 503, { ok });
  });
  app.get('/metrics', (res) => {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    deps.metrics.metrics().then(
      (text) => {
        if (!aborted) res.cork(() => writeText(res, 200, text, deps.metrics.contentType));
      },
      () => {
        if (!aborted) res.cork(() => writeText(res, 500, 'metrics failed'));
      },
    );
  });
  app.get('/reports/fraud', (res, req) => {
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
      ({ rows, rowsRead }) => {
        if (aborted) return;
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
      },
      (err: unknown) => {
        log.error({ err }, 'report failed');
        if (!aborted) res.cork(() => writeJson(res, 500, { error: 'report failed' }));
      },
    );
  });
  app.any('/*', (res) => writeJson(res, 404, { error: 'not found' }));
  return new Promise((resolve, reject) => {
    app.listen(port, (token) => {
      if (!token) {
        reject(new Error(`cannot listen on port ${String(port)}`));
        return;
      }
      resolve({
        port: uWS.us_socket_local_port(token),
        close: () => uWS.us_listen_socket_close(token),
      });
    });
  });
}
