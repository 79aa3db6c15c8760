import { connect, type Socket } from 'node:net';
import { KafkaError } from '../protocol/errors.js';
import { decodeResponseHeader, encodeRequest } from '../protocol/header.js';
import { WireReader, type WireWriter } from '../protocol/wire.js';

/** The connection to a broker failed or closed; requests on it may be retried on a new one. */
export class KafkaConnectionError extends KafkaError {
  constructor(
    readonly broker: string,
    message: string,
    cause?: unknown,
  ) {
    super(`${broker}: ${message}`, { code: 'KAFKA_CONNECTION', retriable: true, cause });
  }
}

interface Pending {
  correlationId: number;
  resolve: (r: WireReader) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * One TCP connection to a broker, with any number of requests in flight: Kafka answers the
 * requests of a connection in the order they were sent, so a second fetch can be on the wire while
 * the first response is decoded. A response frame is copied once into a buffer of its announced
 * size as chunks arrive (no concatenation per chunk); the reader it resolves with views that
 * buffer, so record values stay valid as long as someone holds them.
 */
export class BrokerConnection {
  private readonly socket: Socket;
  private readonly pending: Pending[] = [];
  private nextId = 1;
  private frame: Buffer | null = null;
  private filled = 0;
  private header = Buffer.alloc(4);
  private headerFilled = 0;
  private failure: KafkaConnectionError | null = null;
  readonly ready: Promise<void>;

  constructor(
    readonly address: string,
    private readonly clientId: string,
    opts: { connectTimeoutMs?: number } = {},
  ) {
    const [host, port] = splitAddress(address);
    this.socket = connect({ host, port, noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new KafkaConnectionError(address, 'connect timed out'));
      }, opts.connectTimeoutMs ?? 3000);
      this.socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.once('close', () => {
        clearTimeout(timer);
        reject(this.failure ?? new KafkaConnectionError(address, 'closed'));
      });
    });
    // A failed connect is reported through `ready` and every pending request.
    this.ready.catch(() => undefined);
    this.socket.on('data', (chunk: Buffer) => {
      this.onData(chunk);
    });
    this.socket.on('error', (err) => {
      this.fail(new KafkaConnectionError(address, err.message, err));
    });
    this.socket.on('close', () => {
      this.fail(new KafkaConnectionError(address, 'closed by the broker'));
    });
  }

  /** False once the connection failed or was closed. */
  get usable(): boolean {
    return this.failure === null;
  }

  /** Sends a request; resolves with a reader positioned after the response header. */
  request(
    apiKey: number,
    apiVersion: number,
    body: (w: WireWriter) => void,
    timeoutMs: number,
  ): Promise<WireReader> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const correlationId = this.nextId++;
    if (this.nextId > 0x7fffffff) this.nextId = 1;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(
          new KafkaConnectionError(
            this.address,
            `no answer to request ${String(apiKey)} within ${String(timeoutMs)} ms`,
          ),
        );
      }, timeoutMs);
      this.pending.push({ correlationId, resolve, reject, timer });
      this.socket.write(encodeRequest(apiKey, apiVersion, correlationId, this.clientId, body));
    });
  }

  close(): void {
    this.fail(new KafkaConnectionError(this.address, 'closed'));
  }

  private onData(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.frame === null) {
        const take = Math.min(4 - this.headerFilled, chunk.length - at);
        chunk.copy(this.header, this.headerFilled, at, at + take);
        this.headerFilled += take;
        at += take;
        if (this.headerFilled < 4) return;
        this.frame = Buffer.allocUnsafe(this.header.readInt32BE(0));
        this.filled = 0;
        this.headerFilled = 0;
      }
      const take = Math.min(this.frame.length - this.filled, chunk.length - at);
      chunk.copy(this.frame, this.filled, at, at + take);
      this.filled += take;
      at += take;
      if (this.filled === this.frame.length) {
        const frame = this.frame;
        this.frame = null;
        this.deliver(frame);
      }
    }
  }

  private deliver(frame: Buffer): void {
    const p = this.pending.shift();
    const r = new WireReader(frame);
    const id = decodeResponseHeader(r);
    if (p?.correlationId !== id) {
      if (p) this.pending.unshift(p);
      this.fail(
        new KafkaConnectionError(this.address, `response ${String(id)} matches no request`),
      );
      return;
    }
    clearTimeout(p.timer);
    p.resolve(r);
  }

  private fail(err: KafkaConnectionError): void {
    if (this.failure === null) this.failure = err;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(this.failure);
    }
    this.socket.destroy();
  }
}

function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  const port = Number(address.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port))
    throw new KafkaConnectionError(address, 'expected host:port');
  return [address.slice(0, i), port];
}
