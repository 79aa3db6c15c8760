import uWS from 'uWebSockets.js';
import { afterAll, describe, expect, it } from 'vitest';
import { createHandlerGuard } from '../http-guard.js';
import { silentLogger } from '../logger.js';
import { createMetricsRegistry } from '../metrics.js';
import { listen, ListenError, opsRoutes, type Listening } from './ops-http.js';

describe('listen and the ops routes', () => {
  const open: Listening[] = [];
  afterAll(() => {
    for (const l of open) l.close();
  });

  it('rejects with an error naming the port variable when it cannot bind', async () => {
    // A documentation address (TEST-NET-3) is never an interface of this host.
    const err: unknown = await listen(uWS.App(), '203.0.113.7', 0, 'DEMO_PORT').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ListenError);
    expect((err as ListenError).message).toBe('DEMO_PORT: cannot listen on 203.0.113.7:0');
    expect((err as ListenError).variable).toBe('DEMO_PORT');
  });

  it('serves /healthz from the health function and /metrics from the registry', async () => {
    const registry = createMetricsRegistry('ops-test');
    const guard = createHandlerGuard({ registry, logger: silentLogger() });
    let ok = true;
    const app = opsRoutes(uWS.App(), {
      registry,
      guard,
      health: () => ({ ok, lag: 3 }),
    });
    const l = await listen(app, '127.0.0.1', 0, 'DEMO_PORT');
    open.push(l);
    expect(l.port).toBeGreaterThan(0);
    const base = `http://127.0.0.1:${String(l.port)}`;
    const healthy = await fetch(`${base}/healthz`);
    expect([healthy.status, await healthy.json()]).toEqual([200, { ok: true, lag: 3 }]);
    ok = false;
    expect((await fetch(`${base}/healthz`)).status).toBe(503);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toBe(registry.contentType);
    expect(await metrics.text()).toContain('http_handler_errors_total');
    l.close();
    expect(() => l.close()).not.toThrow(); // idempotent
  });
});
