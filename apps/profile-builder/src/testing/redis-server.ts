import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedis, freePort, silentLogger, waitFor } from '@streambid/adapters';

/**
 * A private redis-server for fault tests (the shared one must never be stopped). It keeps an
 * fsync-always append-only file, so a SIGKILL loses nothing that was acknowledged, like a
 * production Redis with AOF.
 */
export class PrivateRedis {
  private proc: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'pb-redis-'));

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort());
    await r.restart();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${String(this.port)}`;
  }

  async restart(): Promise<void> {
    this.proc = spawn(
      'redis-server',
      [
        ...['--port', String(this.port), '--bind', '127.0.0.1', '--save', ''],
        ...['--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.dir],
      ],
      { stdio: 'ignore' },
    );
    const probe = createRedis(this.url, silentLogger(), {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await waitFor(
        async () => {
          try {
            if (probe.status !== 'ready') await probe.connect();
            return (await probe.ping()) === 'PONG';
          } catch {
            probe.disconnect();
            return false;
          }
        },
        { timeoutMs: 10_000, intervalMs: 50, what: `redis-server on ${String(this.port)}` },
      );
    } finally {
      probe.disconnect();
    }
  }

  /** SIGKILL: the server vanishes mid-whatever, as in a crash. */
  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
