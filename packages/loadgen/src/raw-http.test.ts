import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawHttpPool, ResponseParser } from './raw-http.js';

function parseAll(chunks: string[]): { status: number; body: string }[] {
  const out: { status: number; body: string }[] = [];
  const p = new ResponseParser((status, body) => out.push({ status, body: body.toString() }));
  for (const c of chunks) p.push(Buffer.from(c, 'latin1'));
  return out;
}

describe('ResponseParser', () => {
  it('reads content-length bodies split anywhere, and several responses in one chunk', () => {
    const wire =
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello' +
      'HTTP/1.1 204 No Content\r\n\r\n' +
      'HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}';
    const whole = parseAll([wire]);
    expect(whole).toEqual([
      { status: 200, body: 'hello' },
      { status: 204, body: '' },
      { status: 400, body: '{}' },
    ]);
    for (let cut = 1; cut < wire.length; cut++)
      expect(parseAll([wire.slice(0, cut), wire.slice(cut)]), `cut at ${String(cut)}`).toEqual(
        whole,
      );
  });

  it('reads chunked bodies', () => {
    const wire =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n' +
      'HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n';
    expect(parseAll(wire.split(''))).toEqual([
      { status: 200, body: 'abcde' },
      { status: 302, body: '' },
    ]);
  });

  it('refuses what is not an HTTP/1.x response', () => {
    expect(() => parseAll(['SSH-2.0-OpenSSH\r\n\r\n'])).toThrow(/bad status line/);
  });
});

describe('RawHttpPool against node:http', () => {
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/stall') return; // never answers
        if (req.url === '/port') {
          res.end(String(req.socket.remotePort));
          return;
        }
        if (req.url === '/chunked') {
          res.write('part1-');
          res.end(body);
          return;
        }
        res.writeHead(201, { 'content-type': 'text/plain' });
        res.end(`${req.method ?? ''} ${req.headers['x-tag'] ?? ''} ${body}`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    origin = `http://127.0.0.1:${String(typeof a === 'object' && a ? a.port : 0)}`;
  });

  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const send = (
    pool: RawHttpPool,
    path: string,
    body?: string,
  ): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) =>
      pool.request('POST', path, { 'x-tag': 'tag-1' }, body, true, (err, res) =>
        err || !res ? reject(err ?? new Error('no response')) : resolve(res),
      ),
    );

  it('sends method, headers and a UTF-8 body, queueing more requests than connections', async () => {
    const pool = new RawHttpPool(origin, { connections: 2, timeoutMs: 5000 });
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => send(pool, '/x', `ünï ${String(i)}`)),
      );
      answers.forEach((a, i) => {
        expect(a.status).toBe(201);
        expect(a.body).toBe(`POST tag-1 ünï ${String(i)}`);
      });
      expect((await send(pool, '/chunked', 'tail')).body).toBe('part1-tail');
    } finally {
      pool.close();
    }
  });

  it('sends the next request on the connection released most recently', async () => {
    const pool = new RawHttpPool(origin, { connections: 4, timeoutMs: 5000 });
    try {
      // Four at once open all four connections; one at a time afterwards reuses a single one.
      const opened = await Promise.all([1, 2, 3, 4].map(() => send(pool, '/port')));
      expect(new Set(opened.map((a) => a.body)).size).toBe(4);
      const ports: string[] = [];
      for (let i = 0; i < 8; i++) ports.push((await send(pool, '/port')).body);
      expect(new Set(ports).size).toBe(1);
    } finally {
      pool.close();
    }
  });

  it('fails a request the server does not answer within the timeout, and keeps serving others', async () => {
    const pool = new RawHttpPool(origin, { connections: 1, timeoutMs: 300 });
    try {
      await expect(send(pool, '/stall', 'x')).rejects.toThrow(/timeout/);
      expect((await send(pool, '/x', 'after')).status).toBe(201);
    } finally {
      pool.close();
    }
  });
});
