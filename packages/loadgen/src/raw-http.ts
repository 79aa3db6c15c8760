import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/** What a finished exchange reports: the status and, when asked for, the body as text. */
export interface RawResponse {
  status: number;
  body: string;
}

type Done = (err: Error | undefined, res: RawResponse | undefined) => void;

interface Pending {
  head: string;
  body: string | Buffer | undefined;
  readBody: boolean;
  done: Done;
  sentAt: number;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/**
 * Incremental parser of HTTP/1.1 responses (status line, `content-length` or chunked bodies, no
 * body on 204/304). Pure: `push` bytes, get each complete response through the callback.
 */
export class ResponseParser {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly onResponse: (status: number, body: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (this.buf.length > 0) {
      const used = this.parseOne();
      if (used === 0) return;
      this.buf = this.buf.subarray(used);
    }
  }

  /** Bytes of one complete response at the head of the buffer, or 0 when more are needed. */
  private parseOne(): number {
    const b = this.buf;
    const headEnd = b.indexOf(CRLF2);
    if (headEnd < 0) return 0;
    const head = b.toString('latin1', 0, headEnd);
    if (!head.startsWith('HTTP/1.')) throw new Error(`bad status line: ${head.slice(0, 40)}`);
    const status = Number(head.slice(9, 12));
    const bodyStart = headEnd + 4;
    const lower = head.toLowerCase();
    const cl = /\r\ncontent-length:\s*(\d+)/.exec(lower);
    if (cl) {
      const end = bodyStart + Number(cl[1]);
      if (b.length < end) return 0;
      this.onResponse(status, b.subarray(bodyStart, end));
      return end;
    }
    if (/\r\ntransfer-encoding:[^\r]*chunked/.test(lower))
      return this.parseChunked(status, bodyStart);
    if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
      this.onResponse(status, Buffer.alloc(0));
      return bodyStart;
    }
    throw new Error('response without content-length or chunked encoding');
  }

  private parseChunked(status: number, start: number): number {
    const b = this.buf;
    const parts: Buffer[] = [];
    let at = start;
    for (;;) {
      const lineEnd = b.indexOf(CRLF, at);
      if (lineEnd < 0) return 0;
      const size = parseInt(b.toString('latin1', at, lineEnd), 16);
      if (Number.isNaN(size)) throw new Error('bad chunk size');
      const dataStart = lineEnd + 2;
      if (size === 0) {
        const trailerEnd = b.indexOf(CRLF2, lineEnd);
        const end =
          b.length >= dataStart + 2 && b[dataStart] === 13 && b[dataStart + 1] === 10
            ? dataStart + 2
            : trailerEnd < 0
              ? -1
              : trailerEnd + 4;
        if (end < 0) return 0;
        this.onResponse(status, Buffer.concat(parts));
        return end;
      }
      if (b.length < dataStart + size + 2) return 0;
      parts.push(b.subarray(dataStart, dataStart + size));
      at = dataStart + size + 2;
    }
  }
}

/** One keep-alive connection with at most one request in flight. */
class Connection {
  private socket: Socket | undefined;
  private parser!: ResponseParser;
  current: Pending | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly onIdle: (c: Connection) => void,
  ) {}

  send(p: Pending): void {
    this.current = p;
    p.sentAt = performance.now();
    const s = this.socket ?? this.open();
    if (p.body === undefined) s.write(p.head);
    else if (typeof p.body === 'string') s.write(p.head + p.body);
    else {
      s.cork();
      s.write(p.head);
      s.write(p.body);
      s.uncork();
    }
  }

  private open(): Socket {
    const s = connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = s;
    this.parser = new ResponseParser((status, body) => this.finish(status, body));
    s.on('data', (chunk: Buffer) => {
      try {
        this.parser.push(chunk);
      } catch (err) {
        this.fail(err instanceof Error ? err : new Error(String(err)));
      }
    });
    s.on('error', (err) => this.fail(err));
    s.on('close', () => this.fail(new Error('connection closed')));
    return s;
  }

  private finish(status: number, body: Buffer): void {
    const p = this.current;
    this.current = undefined;
    if (!p) return;
    p.done(undefined, { status, body: p.readBody ? body.toString('utf8') : '' });
    this.onIdle(this);
  }

  /** Drops the socket; the request in flight (if any) fails; the next send reconnects. */
  fail(err: Error): void {
    const s = this.socket;
    this.socket = undefined;
    s?.removeAllListeners();
    s?.on('error', () => undefined);
    s?.destroy();
    const p = this.current;
    this.current = undefined;
    if (p) {
      p.done(err, undefined);
      this.onIdle(this);
    }
  }

  close(): void {
    this.socket?.end();
    this.socket?.removeAllListeners();
    this.socket?.on('error', () => undefined);
    this.socket = undefined;
  }
}

/** Options of {@link RawHttpPool}. */
export interface RawHttpPoolOptions {
  connections: number;
  /** A request not answered within this fails (its connection is dropped). */
  timeoutMs: number;
}

/**
 * A small HTTP/1.1 client for load generation: N keep-alive connections over `node:net`, one
 * request in flight per connection, requests queued while all are busy. It writes the request
 * head by hand and parses only the status and the body framing, so a request costs a few
 * microseconds of the generator's CPU instead of the tens a general-purpose client spends —
 * on a small machine the generator shares the cores with the server under test.
 *
 * The next request takes the connection released most recently. At moderate rates that keeps the
 * traffic on a few hot connections, and so on few server threads. Measured on the two-region load
 * test (2 cores, 1,000 req/s per region): taking the connection idle longest instead spread every
 * request over all connections and both workers of each bidder, kept both cores saturated for the
 * whole run and turned p99 ≈ 55 ms into p99 ≈ 1.6 s. The price is an uneven split across a
 * server's threads.
 */
export class RawHttpPool {
  private readonly idle: Connection[] = [];
  private readonly all: Connection[] = [];
  private readonly queue: Pending[] = [];
  private queueHead = 0;
  private readonly hostHeader: string;
  private readonly sweeper: NodeJS.Timeout;

  constructor(origin: string, o: RawHttpPoolOptions) {
    const u = new URL(origin);
    if (u.protocol !== 'http:') throw new Error(`only http:// origins are supported: ${origin}`);
    this.hostHeader = u.host;
    const port = Number(u.port || '80');
    for (let i = 0; i < o.connections; i++) {
      const c = new Connection(u.hostname, port, (x) => this.release(x));
      this.all.push(c);
      this.idle.push(c);
    }
    this.sweeper = setInterval(
      () => {
        const limit = performance.now() - o.timeoutMs;
        for (const c of this.all)
          if (c.current && c.current.sentAt < limit) c.fail(new Error('timeout'));
      },
      Math.min(250, o.timeoutMs),
    );
    this.sweeper.unref();
  }

  /** Sends one request; `done` gets the status (and body text when `readBody`) or an error. */
  request(
    method: string,
    path: string,
    headers: Record<string, string> | undefined,
    body: string | Buffer | undefined,
    readBody: boolean,
    done: Done,
  ): void {
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\n`;
    if (headers) for (const k in headers) head += `${k}: ${headers[k] ?? ''}\r\n`;
    if (body !== undefined)
      head += `content-length: ${String(typeof body === 'string' ? Buffer.byteLength(body) : body.length)}\r\n`;
    head += '\r\n';
    const p: Pending = { head, body, readBody, done, sentAt: 0 };
    const c = this.idle.pop();
    if (c) c.send(p);
    else this.queue.push(p);
  }

  private release(c: Connection): void {
    if (this.queueHead < this.queue.length) {
      const next = this.queue[this.queueHead++] as Pending;
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      c.send(next);
    } else this.idle.push(c);
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const c of this.all) c.close();
  }
}
