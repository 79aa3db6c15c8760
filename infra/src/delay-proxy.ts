import { createServer, createConnection, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy that holds every chunk for a fixed time before forwarding it, in both directions.
 *
 * These machines have no `netem` qdisc, so inter-region delay cannot come from `tc`. Instead the
 * replication path (MirrorMaker 2 → broker) crosses this proxy: a one-way delay of `delayMs` per
 * direction, so a request/response round trip gains 2 × `delayMs`, as with netem on both ends.
 */
export interface DelayProxyOptions {
  /** Port to listen on (127.0.0.1). 0 picks a free port. */
  readonly listenPort: number;
  /** Port on 127.0.0.1 to forward to. */
  readonly targetPort: number;
  /** One-way delay added to every chunk, each direction. @default 0 */
  readonly delayMs?: number;
  /** Host for both sides. @default '127.0.0.1' */
  readonly host?: string;
  /**
   * Bytes queued in one direction before the sending side is paused (backpressure), so a slow
   * receiver cannot make the proxy buffer without bound. @default 8 MiB
   */
  readonly maxQueuedBytes?: number;
}

export interface DelayProxy {
  /** The port actually listened on. */
  readonly port: number;
  /** The delay now (it can change while connections are open). */
  readonly delayMs: number;
  /**
   * Changes the delay for chunks arriving from now on. Chunks already queued keep their due time;
   * the queue stays first in, first out, so byte order holds.
   */
  setDelay(ms: number): void;
  /** Open client connections. */
  connections(): number;
  /** Stops listening and destroys every open connection. */
  close(): Promise<void>;
}

/**
 * One direction of a connection: chunks wait in a FIFO until their due time. A constant delay
 * keeps due times monotonic, so one timer for the head of the queue preserves byte order.
 */
function delayedPipe(from: Socket, to: Socket, delay: () => number, maxQueued: number): void {
  const queue: { due: number; chunk: Buffer }[] = [];
  let queued = 0;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;

  const flush = (): void => {
    timer = undefined;
    const now = Date.now();
    while (queue.length > 0 && (queue[0]?.due ?? Infinity) <= now) {
      const item = queue.shift();
      if (item === undefined) break;
      queued -= item.chunk.length;
      if (!to.destroyed) to.write(item.chunk);
    }
    if (queued < maxQueued && from.isPaused()) from.resume();
    const head = queue[0];
    if (head !== undefined) timer = setTimeout(flush, Math.max(0, head.due - Date.now()));
    else if (ended && !to.destroyed) to.end();
  };

  from.on('data', (chunk: Buffer) => {
    const delayMs = delay();
    if (delayMs <= 0 && queue.length === 0) {
      if (!to.write(chunk)) from.pause();
      return;
    }
    queue.push({ due: Date.now() + delayMs, chunk });
    queued += chunk.length;
    if (queued >= maxQueued) from.pause();
    timer ??= setTimeout(flush, delayMs);
  });
  // With no delay, plain backpressure: resume when the receiver drained.
  to.on('drain', () => {
    if (queued < maxQueued && from.isPaused()) from.resume();
  });
  from.on('end', () => {
    ended = true;
    if (queue.length === 0 && !to.destroyed) to.end();
  });
  to.on('close', () => {
    if (timer !== undefined) clearTimeout(timer);
    queue.length = 0;
  });
}

/** Starts a delaying proxy; resolves once it listens. */
export async function startDelayProxy(opts: DelayProxyOptions): Promise<DelayProxy> {
  const host = opts.host ?? '127.0.0.1';
  let delayMs = Math.max(0, opts.delayMs ?? 0);
  const delay = (): number => delayMs;
  const maxQueued = opts.maxQueuedBytes ?? 8 * 1024 * 1024;
  const sockets = new Set<Socket>();

  const server: Server = createServer((client) => {
    const upstream = createConnection({ host, port: opts.targetPort });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client);
    sockets.add(upstream);
    const teardown = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    // An error (reset, refused) breaks the pair; a graceful end is forwarded after the delay.
    for (const s of [client, upstream]) {
      s.on('error', teardown);
      s.on('close', () => sockets.delete(s));
    }
    delayedPipe(client, upstream, delay, maxQueued);
    delayedPipe(upstream, client, delay, maxQueued);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.listenPort, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.listenPort;

  return {
    port,
    get delayMs() {
      return delayMs;
    },
    setDelay: (ms) => {
      delayMs = Math.max(0, ms);
    },
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        sockets.clear();
        server.close(() => resolve());
      }),
  };
}
