import { createServer } from 'node:http';
import { startDelayProxy, type DelayProxy } from './delay-proxy.js';

// Entry point of the detached delay-proxy process that `npm run infra -- up` starts per region:
//   node --import tsx infra/src/delay-proxy-main.ts --listen 9112 --target 9102 --delay-ms 100 \
//     --control 9113
// The control port (loopback only) answers `GET /delay` and `PUT /delay?ms=N`, so a fault test
// can slow the replication path for a while without restarting it.

function startControl(port: number, proxy: DelayProxy): void {
  createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname !== '/delay') {
      res.writeHead(404).end();
      return;
    }
    if (req.method === 'PUT') {
      const ms = Number(u.searchParams.get('ms'));
      if (!Number.isInteger(ms) || ms < 0 || ms > 60_000) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ error: 'ms must be a whole number from 0 to 60000', field: 'ms' }),
        );
        return;
      }
      proxy.setDelay(ms);
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ delayMs: proxy.delayMs }));
  }).listen(port, '127.0.0.1');
}

function flag(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === `--${name}`) return argv[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

function intFlag(argv: readonly string[], name: string, fallback?: number): number {
  const raw = flag(argv, name);
  const value = raw === undefined ? fallback : Number(raw);
  if (value === undefined || !Number.isInteger(value) || value < 0) {
    throw new Error(`--${name}: expected a non-negative integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const proxy = await startDelayProxy({
    listenPort: intFlag(argv, 'listen'),
    targetPort: intFlag(argv, 'target'),
    delayMs: intFlag(argv, 'delay-ms', 0),
  });
  const log = (msg: string, extra: Record<string, unknown> = {}) =>
    process.stdout.write(
      `${JSON.stringify({ time: new Date().toISOString(), module: 'delay-proxy', msg, ...extra })}\n`,
    );
  const control = flag(argv, 'control');
  if (control !== undefined) startControl(intFlag(argv, 'control'), proxy);
  log('listening', { port: proxy.port, target: intFlag(argv, 'target'), delayMs: proxy.delayMs });
  const shutdown = (signal: string) => {
    log('stopping', { signal });
    proxy.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`delay-proxy: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
