import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '@streambid/adapters';
import { brokerFor, testTopics } from '@streambid/testkit/services';
import { call, campaignBody } from './harness.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Starts `npm run inventory` in its own process group, so the whole tree can be stopped. */
function runInventory(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  const child = spawn('npm', ['run', '-s', 'inventory'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

describe('npm run inventory', () => {
  const running: ChildProcess[] = [];
  afterAll(() => {
    // Only a test that failed half-way leaves a service running; stop its process group.
    for (const c of running)
      if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) {
        try {
          process.kill(-c.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
  });

  it('serves /healthz and POST /campaigns with auth and validation, and drains on SIGTERM', async () => {
    const port = 18100 + Math.floor(Math.random() * 800);
    const token = 'cli-test-token';
    const { ns } = testTopics();
    const run = runInventory({
      INVENTORY_PORT: String(port),
      INVENTORY_TOKEN: token,
      REGION: 'eu',
      KAFKA_BROKERS: brokerFor('eu'),
      TOPIC_NAMESPACE: ns,
    });
    running.push(run.child);
    await waitFor(
      async () => {
        try {
          return (await call(port, 'GET', '/healthz', undefined, null)).status === 200;
        } catch {
          return false;
        }
      },
      {
        timeoutMs: 45_000,
        intervalMs: 200,
        what: `inventory healthy on ${String(port)}: ${run.output()}`,
      },
    );
    expect((await call(port, 'POST', '/campaigns', campaignBody(), null)).status).toBe(401);
    const bad = await call(port, 'POST', '/campaigns', campaignBody({ advertiser: '' }), token);
    expect(bad).toMatchObject({ status: 400, json: { field: 'advertiser' } });
    expect((await call(port, 'POST', '/campaigns', campaignBody(), token)).status).toBe(201);

    process.kill(-(run.child.pid ?? 0), 'SIGTERM');
    await run.exited;
    // npm may exit before the service has drained; the service must then stop by itself.
    await waitFor(
      async () => {
        try {
          await call(port, 'GET', '/healthz', undefined, null);
          return false;
        } catch {
          return true;
        }
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'inventory stopped after SIGTERM' },
    );
  });

  it('refuses to start without INVENTORY_TOKEN and names the variable', async () => {
    const run = runInventory({ INVENTORY_TOKEN: '', INVENTORY_PORT: '18099' });
    running.push(run.child);
    const code = await run.exited;
    // A configuration error, like a bad flag, exits 2 (the service kit's rule).
    expect(code).toBe(2);
    expect(run.output()).toContain('INVENTORY_TOKEN');
  });
});
