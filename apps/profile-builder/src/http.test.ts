import { Agent, request } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry, silentLogger } from '@streambid/adapters';
import { startOpsServer, type OpsServer } from './http.js';

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function get(port: number, path: string): Promise<{ status: number; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('profile builder ops server', () => {
  let server: OpsServer | undefined;
  afterAll(() => {
    agent.destroy();
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
    expect((await get(server.port, '/healthz')).status).toBe(500);
    broken = false;
    expect(await get(server.port, '/healthz')).toEqual({ status: 200, reused: true });
    const text = await registry.metrics();
    expect(text).toMatch(/^http_handler_errors_total\{route="healthz"[^}]*\} 1$/m);
  });
});
