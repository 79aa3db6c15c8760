import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'undici';
import { createMetricsRegistry, silentLogger } from '@streambid/adapters';
import { loadAssets } from './assets.js';
import { startDashboardServer, type DashboardServer } from './server.js';
import type { DashboardSnapshot } from './snapshot.js';

const TOKEN = 'a-token-of-sixteen-or-more';

describe('the dashboard server', () => {
  let server: DashboardServer;
  let base: string;
  const history: DashboardSnapshot[] = [{ ts: 1, regions: [] }];

  beforeAll(async () => {
    server = await startDashboardServer({
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      assets: loadAssets(),
      history: () => history,
      registry: createMetricsRegistry('dashboard-test'),
      health: () => ({ ok: true }),
      logger: silentLogger(),
    });
    base = `127.0.0.1:${String(server.port)}`;
  });
  afterAll(() => server.close());

  const get = (path: string, cookie = ''): Promise<Response> =>
    fetch(`http://${base}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });

  it('answers 401 to the page and its assets without the token, and serves /healthz', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=wrong-token-wrong-token')).status).toBe(401);
    expect((await get('/assets/dashboard.js')).status).toBe(401);
    expect((await get('/healthz')).status).toBe(200);
  });

  it('trades ?token= for an HttpOnly cookie and serves the page and uPlot with it', async () => {
    const first = await get(`/?token=${TOKEN}`);
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/');
    const setCookie = first.headers.get('set-cookie') ?? '';
    expect(setCookie).toContain('HttpOnly');
    const cookie = setCookie.split(';')[0] ?? '';
    const page = await get('/', cookie);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/assets/uPlot.iife.min.js">');
    const lib = await get('/assets/uPlot.iife.min.js', cookie);
    expect(lib.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await lib.text()).toContain('uPlot');
    expect((await get('/assets/missing.js', cookie)).status).toBe(404);
  });

  /** Opens the feed; resolves with the first `n` messages, or rejects when refused. */
  const feed = (
    query: string,
    n: number,
    headers: Record<string, string> = {},
  ): Promise<unknown[]> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${base}/feed${query}`, { headers } as never);
      const got: unknown[] = [];
      ws.onmessage = (ev) => {
        got.push(JSON.parse(String(ev.data)));
        if (got.length === 1) server.publish({ ts: 2, regions: [] });
        if (got.length === n) {
          ws.close();
          resolve(got);
        }
      };
      ws.onerror = () => reject(new Error('refused'));
    });

  it('refuses the socket without the token and feeds history then snapshots with it', async () => {
    await expect(feed('', 1)).rejects.toThrow('refused');
    await expect(feed('?token=wrong-token-wrong-token', 1)).rejects.toThrow('refused');
    expect(await feed(`?token=${TOKEN}`, 2)).toEqual([
      { type: 'history', snapshots: history },
      { type: 'snapshot', snapshot: { ts: 2, regions: [] } },
    ]);
  });

  it('refuses the socket to a page of another origin even with the cookie', async () => {
    const cookie = `streambid_dashboard=${TOKEN}`;
    expect(await feed('', 2, { cookie, origin: `http://${base}` })).toHaveLength(2);
    await expect(
      feed('', 1, { cookie: `streambid_dashboard=${TOKEN}`, origin: 'http://evil.example' }),
    ).rejects.toThrow('refused');
  });
});
