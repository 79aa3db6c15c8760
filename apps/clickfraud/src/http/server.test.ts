import { afterAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry, silentLogger } from '@streambid/adapters';
import { KeepAliveConnection } from '@streambid/testkit';
import type { ReportRow } from '../report/query.js';
import { startHttp } from './server.js';

const conn = new KeepAliveConnection();

const REPORT = '/reports/fraud?from=2024-05-01&to=2024-05-02&by=site&format=json';
const TOKEN = 'server-test-token-0123';

describe('clickfraud HTTP server', () => {
  const registry = createMetricsRegistry('cf-http-test');
  let healthThrows = true;
  let http: { port: number; close: () => void } | undefined;
  afterAll(() => {
    conn.close();
    http?.close();
  });

  const errors = async (route: string): Promise<number> => {
    const m = await registry.getSingleMetric('http_handler_errors_total')?.get();
    return m?.values.find((v) => v.labels['route'] === route)?.value ?? 0;
  };

  it('answers 500 for a throw in a handler or in a report continuation and keeps serving', async () => {
    http = await startHttp(0, {
      healthy: () => {
        if (healthThrows) throw new Error('health source broke');
        return true;
      },
      // A result whose rows cannot be read: the answer is written after the await, in a continuation.
      report: () =>
        Promise.resolve({
          get rows(): ReportRow[] {
            throw new Error('rows unreadable');
          },
          rowsRead: 0,
        }),
      metrics: registry,
      logger: silentLogger(),
      access: { token: TOKEN, maxRangeMs: 31 * 86_400_000, maxLimit: 1000 },
    });
    expect((await conn.get(http.port, '/healthz')).status).toBe(500);
    const report = await fetch(`http://127.0.0.1:${String(http.port)}${REPORT}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(report.status).toBe(500);
    healthThrows = false;
    expect(await conn.get(http.port, '/healthz')).toEqual({ status: 200, reused: true });
    expect(await errors('healthz')).toBe(1);
    expect(await errors('reports_fraud')).toBe(1);
  });
});
