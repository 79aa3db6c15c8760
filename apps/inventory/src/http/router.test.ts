import { Agent, request } from 'node:http';
import uWS, { type us_listen_socket } from 'uWebSockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry, silentLogger } from '@streambid/adapters';
import { createRouter, parseBody } from './router.js';
import { z } from 'zod';

// One socket: the requests of a test share one keep-alive connection, so "keeps serving" covers it.
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

interface Answer {
  status: number;
  json: Record<string, unknown>;
}

function call(
  port: number,
  method: string,
  path: string,
  opts: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, agent, headers: opts.headers ?? {} },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {},
          }),
        );
      },
    );
    req.on('error', reject);
    // An unanswered request (a handler that died) fails its test at once, not at the test timeout.
    req.setTimeout(5000, () => req.destroy(new Error(`no answer to ${method} ${path} within 5 s`)));
    req.end(opts.body);
  });
}

/**
 * The router on a real uWS app, with routes that fail the ways a handler bug does: a throw, a
 * rejection after an await, and a reply that cannot be serialised (a BigInt from a new code path).
 */
describe('router', () => {
  const registry = new Registry();
  const seen: [string, number][] = [];
  let sock: us_listen_socket;
  let port: number;

  beforeAll(async () => {
    const app = uWS.App();
    const router = createRouter(app, {
      token: 'secret-token',
      logger: silentLogger(),
      registry,
      observe: (route, status) => seen.push([route, status]),
    });
    router
      .get('/ok', { name: 'ok', auth: false }, () => ({ status: 200, json: { ok: true } }))
      .get('/throw', { name: 'throw', auth: false }, () => {
        throw new Error('handler bug');
      })
      .get('/reject', { name: 'reject', auth: false }, async () => {
        await new Promise((r) => setTimeout(r, 5));
        throw new Error('handler bug after an await');
      })
      .get('/bigint', { name: 'bigint', auth: false }, () => ({
        status: 200,
        json: { total: 10n },
      }))
      .post('/echo/:id', { name: 'echo' }, (req) => {
        const body = parseBody(z.object({ n: z.number() }).strict(), req.body);
        return body.ok ? { status: 200, json: { id: req.params[0], n: body.value.n } } : body.reply;
      });
    sock = await new Promise<us_listen_socket>((resolve, reject) =>
      app.listen('127.0.0.1', 0, (s) => (s ? resolve(s) : reject(new Error('listen')))),
    );
    port = uWS.us_socket_local_port(sock);
  });

  afterAll(() => {
    uWS.us_listen_socket_close(sock);
    agent.destroy();
  });

  it('answers a handler that throws, rejects or replies unserialisably with a JSON 500, counts it and keeps serving', async () => {
    for (const path of ['/throw', '/reject', '/bigint']) {
      const a = await call(port, 'GET', path);
      expect(a, path).toEqual({ status: 500, json: { error: 'internal error' } });
      expect((await call(port, 'GET', '/ok')).status, `after ${path}`).toBe(200);
    }
    const errors = await registry.getSingleMetric('http_handler_errors_total')?.get();
    const byRoute = new Map(errors?.values.map((v) => [v.labels['route'], v.value]));
    expect(byRoute).toEqual(
      new Map([
        ['throw', 1],
        ['reject', 1],
        ['bigint', 1],
      ]),
    );
    expect(seen).toContainEqual(['throw', 500]);
    expect(seen).toContainEqual(['bigint', 500]);
  });

  it('answers 401 before saying anything about a request without the token', async () => {
    const a = await call(port, 'POST', '/echo/%E0%A4%A', {
      body: '{"n":1}',
      headers: { 'content-type': 'text/xml' },
    });
    expect(a.status).toBe(401);
  });

  it('refuses bad input on an authorised request with 400 naming it', async () => {
    const auth = { authorization: 'Bearer secret-token' };
    const cases: [string, Record<string, string>, string | Buffer, string][] = [
      ['/echo/%E0%A4%A', {}, '{"n":1}', 'id'],
      ['/echo/a?x=1', {}, '{"n":1}', 'x'],
      ['/echo/a', { 'content-type': 'text/xml' }, '<n>1</n>', 'content-type'],
      ['/echo/a', {}, Buffer.from([0x7b, 0xff, 0x7d]), '(body)'],
      ['/echo/a', {}, '['.repeat(40) + ']'.repeat(40), '(body)'],
      ['/echo/a', {}, '{"n":1,"__proto__":{"x":1}}', '__proto__'],
    ];
    for (const [path, headers, body, field] of cases) {
      const a = await call(port, 'POST', path, { body, headers: { ...auth, ...headers } });
      expect(a.status, `${path} ${JSON.stringify(a.json)}`).toBe(400);
      expect(a.json['field'], path).toBe(field);
    }
    expect(
      await call(port, 'POST', '/echo/a%2Fb', {
        body: '{"n":2}',
        headers: { ...auth, 'content-type': 'application/json; charset=utf-8' },
      }),
    ).toEqual({ status: 200, json: { id: 'a/b', n: 2 } });
  });
});
