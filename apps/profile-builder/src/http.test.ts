import { afterAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry, silentLogger } from '@streambid/adapters';
import { KeepAliveConnection } from '@streambid/testkit';
import { startOpsServer, type OpsServer } from './http.js';

const conn = new KeepAliveConnection();

describe('profile builder ops server', () => {
  let server: OpsServer | undefined;
  afterAll(() => {
    conn.close();
    server?.close();
  });

  it('answers 500 when the health function throws, counts it, and keeps serving the connection', async () => {
    const registry = createMetricsRegistry('pb-http-test');
    let broken = true;
    server = await startOpsServer({
      port: 0,
      registry,
      logger: silentLogger(),
      health: () => {
        if (broken) throw new Error('health source broke');
        return { ok: true };
      },
    });
    expect((await conn.get(server.port, '/healthz')).status).toBe(500);
    broken = false;
    expect(await conn.get(server.port, '/healthz')).toEqual({ status: 200, reused: true });
    const text = await registry.metrics();
    expect(text).toMatch(/^http_handler_errors_total\{route="healthz"[^}]*\} 1$/m);
  });
});
