import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpenModel, type SecondProgress } from './open-model.js';

describe('runOpenModel against a local HTTP server', () => {
  let server: Server;
  let url = '';
  let stalled = false;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const reply = () => res.writeHead(req.url === '/missing' ? 404 : 200).end('ok');
      if (stalled) setTimeout(reply, 300);
      else reply();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    url = `http://127.0.0.1:${String(typeof a === 'object' && a ? a.port : 0)}`;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends rate × duration requests and counts statuses, tags and the timeline', async () => {
    const r = await runOpenModel({
      url,
      rate: 200,
      durationS: 1,
      connections: 4,
      timeline: true,
      makeRequest: (i) => ({
        path: i % 4 === 0 ? '/missing' : '/',
        tag: i % 2 === 0 ? 'eu' : 'us',
      }),
    });
    expect(r.sent).toBe(200);
    expect(r.completed).toBe(200);
    expect(r.statusCounts).toEqual({ '200': 150, '404': 50 });
    expect(r.tagCounts).toEqual({ eu: 100, us: 100 });
    expect(r.timeline?.[0]?.sent).toBe(200);
    expect(r.latencyMs.p50).toBeGreaterThan(0);
  });

  it("reports each second once while sending, with that second's counts and the totals", async () => {
    const seconds: SecondProgress[] = [];
    const r = await runOpenModel({
      url,
      rate: 100,
      durationS: 2,
      connections: 4,
      makeRequest: () => ({ path: '/' }),
      onSecond: (p) => seconds.push(p),
    });
    expect(seconds.map((p) => p.elapsedS)).toEqual([1, 2]);
    // A request due on the boundary goes out in the tick that closes the second before it.
    expect(seconds[0]?.sent).toBeGreaterThanOrEqual(99);
    expect(seconds[0]?.sent).toBeLessThanOrEqual(102);
    expect((seconds[0]?.sent ?? 0) + (seconds[1]?.sent ?? 0)).toBe(200);
    expect(seconds.reduce((a, p) => a + p.completed, 0)).toBeLessThanOrEqual(r.completed);
    expect(seconds[0]?.completed).toBeGreaterThan(90);
    expect(seconds[0]?.p99Ms).toBeGreaterThan(0);
    expect(seconds[1]?.total.sent).toBe(200);
    expect(seconds.every((p) => p.errors === 0)).toBe(true);
  });

  it('follows a ramping profile: sends per second match the integral of the rate', async () => {
    const seconds: SecondProgress[] = [];
    // 0 → 200 req/s over 2 s after a 1 s offset: 0, 50 then 150 requests in the three seconds.
    const r = await runOpenModel({
      url,
      profile: { offsetS: 1, startRate: 0, stages: [{ durationS: 2, target: 200 }] },
      connections: 4,
      timeline: true,
      makeRequest: () => ({ path: '/' }),
      onSecond: (p) => seconds.push(p),
    });
    expect(r.sent).toBe(200);
    expect(r.durationS).toBe(3);
    expect(r.activeS).toBe(2);
    expect(r.targetRate).toBe(100);
    expect(r.timeline?.map((t) => t.sent)).toEqual([0, 50, 150]);
    expect(seconds.map((p) => p.elapsedS)).toEqual([1, 2, 3]);
    // Each second reports the sends intended in it, however late its timer fired.
    expect(seconds.map((p) => p.sent)).toEqual([0, 50, 150]);
    expect(r.histogram?.totalCount).toBe(200);
  });

  it('reports every second of a trailing zero-rate stage', async () => {
    const seconds: SecondProgress[] = [];
    const r = await runOpenModel({
      url,
      profile: {
        stages: [
          { durationS: 1, target: 50 },
          { durationS: 0, target: 0 },
          { durationS: 1, target: 0 },
        ],
      },
      connections: 2,
      makeRequest: () => ({ path: '/' }),
      onSecond: (p) => seconds.push(p),
    });
    expect(r.sent).toBe(50);
    expect(seconds.map((p) => [p.elapsedS, p.sent])).toEqual([
      [1, 50],
      [2, 0],
    ]);
  });

  it('charges a stalled server for the time requests waited, not only for the requests it answered', async () => {
    stalled = true;
    // 50/s over 1 s with one connection: every request queues behind 300 ms responses.
    const r = await runOpenModel({
      url,
      rate: 20,
      durationS: 0.5,
      connections: 1,
      makeRequest: () => ({ path: '/' }),
    });
    stalled = false;
    expect(r.completed).toBe(10);
    // A closed-loop client would report ~300 ms; from intended send times the tail is ~2.5 s.
    expect(r.latencyMs.p99).toBeGreaterThan(1500);
  });
});
