import { Agent, request } from 'node:http';
import uWS, { type us_listen_socket, type TemplatedApp } from 'uWebSockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlerGuard, type HandlerGuard } from './http-guard.js';
import { writeJson } from './http.js';
import { silentLogger } from './logger.js';
import { createMetricsRegistry, type Registry } from './metrics.js';
import { waitFor } from './wait.js';

interface Answer {
  status: number;
  body: string;
  /** The request went out on a connection an earlier request had used. */
  reused: boolean;
}

class Boom extends Error {}

// One socket only: every request of a test shares one keep-alive connection.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function call(port: number, path: string, abortAfterMs?: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    if (abortAfterMs !== undefined) setTimeout(() => req.destroy(new Boom('gone')), abortAfterMs);
    req.end();
  });
}

/** The routes under test, each failing a different way, all through one guard. */
function routes(app: TemplatedApp, guard: HandlerGuard): void {
  app.get('/ok', (res) => writeJson(res, 200, { ok: true }));
  app.get(
    '/throw',
    guard.route('throw', () => {
      throw new Boom('thrown in the handler');
    }),
  );
  app.get(
    '/later',
    guard.route('later', (res) => {
      res.onAborted(() => undefined);
      setTimeout(
        () =>
          guard.later(res, 'later', () => {
            throw new Boom('thrown after a timer');
          }),
        5,
      );
    }),
  );
  app.get(
    '/reject',
    guard.route('reject', async (res) => {
      res.onAborted(() => undefined);
      await new Promise((r) => setTimeout(r, 5));
      throw new Boom('async handler rejected');
    }),
  );
  app.get(
    '/answered-then-throw',
    guard.route('answered', (res) => {
      writeJson(res, 200, { first: true });
      throw new Boom('thrown after answering');
    }),
  );
  app.get(
    '/throw-after-abort',
    guard.route('after_abort', (res) => {
      let aborted = false;
      res.onAborted(() => {
        aborted = true;
      });
      const tick = (): void => {
        if (!aborted) {
          setTimeout(tick, 5);
          return;
        }
        // Touching an aborted response throws in uWS: the guard must swallow the second throw too.
        guard.later(res, 'after_abort', () => writeJson(res, 200, { late: true }));
      };
      tick();
    }),
  );
}

describe('handler guard on a real uWS server', () => {
  let registry: Registry;
  let guard: HandlerGuard;
  let sock: us_listen_socket;
  let port: number;

  beforeAll(async () => {
    registry = createMetricsRegistry('guard-test');
    guard = createHandlerGuard({ registry, logger: silentLogger() });
    const app = uWS.App();
    routes(app, guard);
    sock = await new Promise<us_listen_socket>((resolve, reject) =>
      app.listen('127.0.0.1', 0, (s) => (s ? resolve(s) : reject(new Error('no listen')))),
    );
    port = uWS.us_socket_local_port(sock as unknown as uWS.us_socket);
  });

  afterAll(() => {
    agent.destroy();
    uWS.us_listen_socket_close(sock);
  });

  const errorsOf = async (route: string): Promise<number> => {
    const m = await registry.getSingleMetric('http_handler_errors_total')?.get();
    return m?.values.find((v) => v.labels['route'] === route)?.value ?? 0;
  };

  it('answers a JSON 500 for a handler that throws and serves the next request on the same connection', async () => {
    expect((await call(port, '/ok')).status).toBe(200);
    const r = await call(port, '/throw');
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body)).toEqual({ error: 'internal error' });
    const next = await call(port, '/ok');
    expect(next).toMatchObject({ status: 200, reused: true });
  });

  it('answers 500 when a continuation run through later() throws after a timer', async () => {
    expect((await call(port, '/later')).status).toBe(500);
    expect(await call(port, '/ok')).toMatchObject({ status: 200, reused: true });
  });

  it('answers 500 when an async handler rejects', async () => {
    expect((await call(port, '/reject')).status).toBe(500);
    expect(await call(port, '/ok')).toMatchObject({ status: 200, reused: true });
  });

  it('keeps the first answer when a handler throws after responding', async () => {
    const r = await call(port, '/answered-then-throw');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ first: true });
    expect(await call(port, '/ok')).toMatchObject({ status: 200, reused: true });
  });

  it('survives a continuation that throws after the client went away', async () => {
    const before = await errorsOf('after_abort');
    await expect(call(port, '/throw-after-abort', 20)).rejects.toThrow('gone');
    await waitFor(async () => (await errorsOf('after_abort')) > before, {
      timeoutMs: 5000,
      what: 'late throw counted',
    });
    expect((await call(port, '/ok')).status).toBe(200);
  });

  it('counts every caught error in http_handler_errors_total by route', async () => {
    const before = await errorsOf('throw');
    const caught = guard.caught;
    await call(port, '/throw');
    await call(port, '/throw');
    expect(await errorsOf('throw')).toBe(before + 2);
    expect(guard.caught).toBe(caught + 2);
    for (const route of ['later', 'reject', 'answered']) expect(await errorsOf(route)).toBe(1);
  });
});
