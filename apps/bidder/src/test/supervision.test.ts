import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor, type Publisher } from '@streambid/adapters';
import { openPublisher, testKafka, testTopics, uniq } from '@streambid/testkit/services';
import { bannerRequest, campaignFor, publishCampaign, spawnBidder } from './harness.js';

/** The watchdog limit the bidder runs with here; the stall below lasts far longer. */
const WATCHDOG_LIMIT_MS = 1000;
const STALL_MS = 60_000;

interface Reply {
  status: number;
  body: string;
  /** Sent on a connection an earlier request had used. */
  reused: boolean;
}

/**
 * One HTTP/1.1 keep-alive connection (an agent with a single socket): the kernel spreads
 * connections over the workers' listeners, and every request sent here reaches the same worker.
 */
class Connection {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(private readonly port: number) {}

  send(method: string, path: string, body?: object): Promise<Reply> {
    const data = body === undefined ? '' : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          path,
          method,
          agent: this.agent,
          headers: { 'content-type': 'application/json', 'content-length': data.length },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: text, reused: req.reusedSocket }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  /** The worker thread this connection reaches. */
  async thread(): Promise<number> {
    const r = await this.send('POST', '/__fault/thread');
    return (JSON.parse(r.body) as { threadId: number }).threadId;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** One request on a connection of its own; a connection error resolves as status 0. */
async function once(port: number, method: string, path: string, body?: object): Promise<Reply> {
  const c = new Connection(port);
  try {
    return await c.send(method, path, body);
  } catch {
    return { status: 0, body: '', reused: false };
  } finally {
    c.close();
  }
}

/** Sum of a metric's series whose labels contain `match` (e.g. `reason="stall"`). */
function metricSum(text: string, name: string, match = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m?.[1] === name && (m[2] ?? '').includes(match)) sum += Number(m[3]);
  }
  return sum;
}

describe('supervision of `npm run bidder` (two workers, fault routes on, child process)', () => {
  const { ns, topics } = testTopics();
  const domain = `${uniq('sup')}.example`;
  let child: ChildProcess | undefined;
  let port: number;
  let pub: Publisher;
  let exited: number | null = null;
  const logTail: string[] = [];
  const logs = (): string => logTail.join('\n');

  const metrics = async (): Promise<string> => (await once(port, 'GET', '/metrics')).body;
  /** Fails the wait at once, with the logs, if the bidder exited. */
  const alive = (): void => {
    if (exited !== null) throw new Error(`bidder exited ${String(exited)}:\n${logs()}`);
  };
  const healthz = async (): Promise<number> => {
    alive();
    return (await once(port, 'GET', '/healthz')).status;
  };
  const restarts = async (reason: string): Promise<number> =>
    metricSum(await metrics(), 'bidder_worker_restarts_total', `reason="${reason}"`);
  /** Thread ids answering on fresh connections, until both workers were seen. */
  const threads = (): Promise<Set<number>> => {
    const seen = new Set<number>();
    return waitFor(
      async () => {
        const r = await once(port, 'POST', '/__fault/thread');
        if (r.status === 200) seen.add((JSON.parse(r.body) as { threadId: number }).threadId);
        return seen.size === 2 ? seen : undefined;
      },
      { timeoutMs: 30_000, what: 'both workers answering' },
    );
  };

  beforeAll(async () => {
    const kafka = testKafka('eu');
    pub = await openPublisher(kafka, Object.values(topics));
    await publishCampaign(pub, topics, campaignFor(domain));
    port = await freePort();
    const proc = spawnBidder({
      port,
      ns,
      profilePrefix: `${uniq('sup')}:`,
      env: {
        BIDDER_FAULT_ROUTES: 'true',
        BIDDER_WATCHDOG_INTERVAL_MS: '100',
        BIDDER_WATCHDOG_LIMIT_MS: String(WATCHDOG_LIMIT_MS),
      },
      stdout: 'pipe',
    });
    child = proc;
    // The logs, shown when the process exits unexpectedly.
    proc.stdout?.on('data', (chunk: Buffer) => {
      logTail.push(...chunk.toString().split('\n').filter(Boolean));
      logTail.splice(0, Math.max(0, logTail.length - 60));
    });
    proc.on('exit', (code, signal) => (exited = code ?? (signal ? -1 : 0)));
    await waitFor(async () => (await healthz()) === 200, {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: 'bidder healthy',
    });
  });

  afterAll(async () => {
    await stop();
    await pub.close();
  });

  /** SIGTERM; resolves once the bidder exited. */
  const stop = async (): Promise<void> => {
    const c = child;
    if (!c || exited !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await gone;
  };

  it('answers an exception thrown in a handler with a JSON 500 and serves the next request on the same connection', async () => {
    const conn = new Connection(port);
    try {
      const thread = await conn.thread();
      const thrown = await conn.send('POST', '/__fault/throw');
      expect(thrown.status).toBe(500);
      expect(JSON.parse(thrown.body)).toEqual({ error: 'internal error' });
      const later = await conn.send('POST', '/__fault/throw-later');
      expect(later).toMatchObject({ status: 500, reused: true });
      const bid = await conn.send('POST', '/openrtb2/bid', bannerRequest(domain));
      expect(bid.reused).toBe(true);
      expect([200, 204]).toContain(bid.status);
      // Same thread: it was not replaced, it kept serving.
      expect(await conn.thread()).toBe(thread);
    } finally {
      conn.close();
    }
    const text = await metrics();
    expect(metricSum(text, 'http_handler_errors_total', 'route="fault_throw"')).toBe(1);
    expect(metricSum(text, 'http_handler_errors_total', 'route="fault_throw_later"')).toBe(1);
    expect(metricSum(text, 'bidder_worker_restarts_total')).toBe(0);
    expect(exited, logs()).toBeNull();
  });

  it('replaces a worker killed by an uncaught exception; /healthz is 503 while it is missing and 200 once the replacement caught up', async () => {
    const before = await restarts('crash');
    const killed = await once(port, 'POST', '/__fault/exit');
    expect(killed.status).toBe(202);
    const dead = (JSON.parse(killed.body) as { threadId: number }).threadId;
    await waitFor(async () => (await healthz()) === 503, {
      timeoutMs: 10_000,
      intervalMs: 10,
      what: '/healthz 503 while a worker is missing',
    });
    // Meanwhile the surviving worker answers every bid request, each on a new connection.
    const answered: number[] = [];
    await waitFor(
      async () => {
        answered.push((await once(port, 'POST', '/openrtb2/bid', bannerRequest(domain))).status);
        return (await healthz()) === 200;
      },
      { timeoutMs: 60_000, intervalMs: 20, what: '/healthz 200 after the replacement' },
    );
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.filter((s) => s !== 200 && s !== 204)).toEqual([]);
    const live = await threads();
    expect(live.has(dead)).toBe(false);
    // The replacement built its views from Kafka: a dozen new connections all get the bid.
    for (let i = 0; i < 12; i++)
      expect((await once(port, 'POST', '/openrtb2/bid', bannerRequest(domain))).status).toBe(200);
    const text = await metrics();
    expect(metricSum(text, 'bidder_worker_restarts_total', 'reason="crash"')).toBe(before + 1);
    expect(metricSum(text, 'bidder_workers_live')).toBe(2);
    expect(exited, logs()).toBeNull();
  }, 120_000);

  it('terminates a worker stalled past the watchdog limit and replaces it; requests in flight on it fail fast', async () => {
    const stalled = new Connection(port);
    let waiting: Connection | undefined;
    try {
      const victim = await stalled.thread();
      // A second connection to the same worker, to have a request waiting behind the stall.
      const second = await waitFor(
        async () => {
          waiting?.close();
          waiting = new Connection(port);
          return (await waiting.thread()) === victim ? waiting : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 0, what: 'a second connection to the same worker' },
      );
      const before = await restarts('stall');
      const t0 = Date.now();
      const settle = (p: Promise<Reply>) =>
        p.then(
          (r) => ({ status: r.status, ms: Date.now() - t0 }),
          () => ({ status: 0, ms: Date.now() - t0 }),
        );
      const stall = settle(stalled.send('POST', `/__fault/stall?ms=${String(STALL_MS)}`));
      // Ordering only: the bid request must reach the worker after the stall began.
      await new Promise((r) => setTimeout(r, 200));
      const inFlight = settle(second.send('POST', '/openrtb2/bid', bannerRequest(domain)));
      const [s, f] = await Promise.all([stall, inFlight]);
      // Connection closed (0) or 503, long before the stall would have ended.
      for (const r of [s, f]) {
        expect([0, 503]).toContain(r.status);
        expect(r.ms).toBeLessThan(STALL_MS / 2);
      }
      await waitFor(async () => (await healthz()) === 200, {
        timeoutMs: 60_000,
        intervalMs: 50,
        what: '/healthz 200 after the replacement',
      });
      expect((await threads()).has(victim)).toBe(false);
      const text = await metrics();
      expect(metricSum(text, 'bidder_worker_restarts_total', 'reason="stall"')).toBe(before + 1);
      expect(metricSum(text, 'bidder_workers_live')).toBe(2);
    } finally {
      stalled.close();
      waiting?.close();
    }
    expect(exited, logs()).toBeNull();
  }, 120_000);

  it('never exited, and on SIGTERM drains and exits 0 even with idle keep-alive connections open', async () => {
    expect(exited, logs()).toBeNull();
    const idle = [new Connection(port), new Connection(port), new Connection(port)];
    for (const c of idle) expect((await c.send('GET', '/healthz')).status).toBe(200);
    await stop();
    for (const c of idle) c.close();
    expect(exited, logs()).toBe(0);
    // Each worker closed its connections itself, not the stop timeout's forced close.
    expect(logs()).not.toContain('did not stop in time');
  }, 60_000);
});
