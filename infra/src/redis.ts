import { join } from 'node:path';
import { ensureRedis } from './install.js';
import type { Region } from '@streambid/contracts';
import type { Ports } from './ports.js';
import { DATA_DIR, ensureDir, spawnDetached, tcpExchange, type Log } from './proc.js';
import type { Service } from './service.js';

/** True when 127.0.0.1:`port` answers PING with PONG. Never throws. */
export async function redisReady(port: number): Promise<boolean> {
  try {
    const reply = await tcpExchange(
      port,
      Buffer.from('PING\r\n'),
      (b) => b.includes('\r\n'),
      1_000,
    );
    return reply.toString().startsWith('+PONG');
  } catch {
    return false;
  }
}

/**
 * A Redis for one region. If the port already answers PING (e.g. the machine's own
 * redis-server on 6379) it is reused and never stopped by us.
 */
export function redisService(region: Region, ports: Ports): Service {
  const port = ports.redis[region];
  const dir = join(DATA_DIR, `redis-${region}`);
  const logFile = join(dir, 'redis.log');
  let binary = 'redis-server';
  return {
    name: `redis-${region}`,
    endpoint: `redis://127.0.0.1:${port}`,
    ports: [port],
    logFile,
    marker: dir,
    startTimeoutMs: 20_000,
    healthy: () => redisReady(port),
    async install(log: Log) {
      binary = await ensureRedis(log);
    },
    start() {
      ensureDir(dir);
      // Append-only file fsynced every second: durable enough for dev, no RDB fork pauses.
      const args = [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--daemonize',
        'no',
        '--dir',
        dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--save',
        '',
        '--logfile',
        '',
        '--loglevel',
        'warning',
      ];
      return Promise.resolve(
        spawnDetached({ name: `redis-${region}`, command: binary, args, cwd: dir, logFile }),
      );
    },
  };
}
