import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Closers } from './closers.js';

/** A logger whose lines are kept, to see what closing reported. */
function recordingLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) },
  );
  return { logger, lines };
}

describe('Closers', () => {
  it('closes in reverse order of registration, waiting for each', async () => {
    const { logger } = recordingLogger();
    const closers = new Closers(logger);
    const order: string[] = [];
    closers.push('producer', () => void order.push('producer'));
    closers.push('consumer', async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push('consumer');
    });
    closers.push('listen socket', () => void order.push('listen socket'));
    await closers.closeAll();
    expect(order).toEqual(['listen socket', 'consumer', 'producer']);
    expect(closers.size).toBe(0);
  });

  it('logs a closer that fails and still runs the others', async () => {
    const { logger, lines } = recordingLogger();
    const closers = new Closers(logger);
    const order: string[] = [];
    closers.push('producer', () => void order.push('producer'));
    closers.push('consumer', () => Promise.reject(new Error('broker gone')));
    closers.push('timer', () => {
      throw new Error('sync failure');
    });
    await expect(closers.closeAll()).resolves.toBeUndefined();
    expect(order).toEqual(['producer']);
    const failures = lines.filter((l) => l['msg'] === 'error while closing');
    expect(failures.map((l) => l['closer'])).toEqual(['timer', 'consumer']);
    expect(failures[1]?.['err']).toMatchObject({ message: 'broker gone' });
  });

  it('closes each resource once however often closeAll is called', async () => {
    const closers = new Closers(recordingLogger().logger);
    let closed = 0;
    closers.push('socket', async () => {
      await new Promise((r) => setTimeout(r, 10));
      closed++;
    });
    const [a, b] = [closers.closeAll(), closers.closeAll()];
    expect(a).toBe(b);
    await Promise.all([a, b, closers.closeAll()]);
    await closers.closeAll();
    expect(closed).toBe(1);
  });

  it('closes at once a resource registered after closing began', async () => {
    const closers = new Closers(recordingLogger().logger);
    const closing = closers.closeAll();
    let closed = false;
    closers.push('late', () => {
      closed = true;
    });
    await closing;
    expect(closed).toBe(true);
  });
});
