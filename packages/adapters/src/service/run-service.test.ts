import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { z } from 'zod';
import { UsageError, type CliIo } from '../cli/args.js';
import { envRows } from '../cli/env-help.js';
import { loadConfig } from '../config.js';
import { ConfigError } from '../errors.js';
import { runService, type ServiceOptions } from './run-service.js';

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${String(code)}`);
  }
}

const schema = z.object({
  /** Where the service listens. */
  DEMO_PORT: z.coerce.number().int().min(1).default(8080),
});

/**
 * A service run in this process: its output, the order of what happened (closers, the log's
 * flush, the exit) and a signal source to send SIGTERM through.
 */
function harness(over: Partial<ServiceOptions<{ DEMO_PORT: number }, unknown>> = {}) {
  const events: string[] = [];
  const signals = (over.signals as EventEmitter | undefined) ?? new EventEmitter();
  const out = { stdout: '', stderr: '' };
  const io: CliIo = {
    out: (t) => void (out.stdout += t),
    err: (t) => void (out.stderr += t),
    exit: (code) => {
      events.push(`exit ${String(code)}`);
      throw new Exited(code);
    },
  };
  const logs: Record<string, unknown>[] = [];
  // A destination with a buffer: lines count as written only once flushed.
  let pending: Record<string, unknown>[] = [];
  const destination = {
    write: (line: string) => void pending.push(JSON.parse(line) as Record<string, unknown>),
    flush: (cb: () => void) =>
      setTimeout(() => {
        logs.push(...pending);
        pending = [];
        events.push('flushed');
        cb();
      }, 5),
  };
  const logger = pino({ level: 'info' }, destination);
  const opts: ServiceOptions<{ DEMO_PORT: number }, unknown> = {
    command: {
      name: 'demo',
      usage: 'npm run demo',
      flags: {},
      env: envRows(schema, [import.meta.url]),
    },
    config: () => loadConfig(schema, {}),
    logger: () => logger,
    run: async ({ stopped }) => {
      await stopped;
    },
    argv: [],
    io,
    signals,
    ...over,
  };
  const exited = runService(opts).then(
    () => -1,
    (err: unknown) => {
      if (err instanceof Exited) return err.code;
      throw err;
    },
  );
  return { events, signals, out, logs, exited };
}

describe('runService', () => {
  it('answers --help with the environment and exits 0 before loading the configuration', async () => {
    const h = harness({
      argv: ['--help'],
      config: () => {
        throw new Error('configuration loaded');
      },
    });
    expect(await h.exited).toBe(0);
    expect(h.out.stdout).toMatch(
      /^ {2}DEMO_PORT=<int> +default 8080\. Where the service listens\.$/m,
    );
  });

  it('exits 2 naming an unknown flag, with nothing started', async () => {
    let started = false;
    const h = harness({
      argv: ['--port', '1'],
      run: () => {
        started = true;
        return Promise.resolve();
      },
    });
    expect(await h.exited).toBe(2);
    expect(h.out.stderr).toMatch(/^demo: unknown flag --port/);
    expect(started).toBe(false);
  });

  it('exits 2 naming the variable of a bad configuration, with nothing started', async () => {
    let started = false;
    const h = harness({
      config: () => loadConfig(schema, { DEMO_PORT: 'eighty' }),
      run: () => {
        started = true;
        return Promise.resolve();
      },
    });
    expect(await h.exited).toBe(2);
    expect(h.out.stderr).toMatch(/^demo: invalid configuration: DEMO_PORT: /);
    expect(started).toBe(false);
    expect(h.signals.listenerCount('SIGTERM')).toBe(0);
  });

  it('listens for SIGTERM and SIGINT before it loads the configuration or starts', async () => {
    const seen: number[] = [];
    const signals = new EventEmitter();
    const h = harness({
      signals,
      config: () => {
        seen.push(signals.listenerCount('SIGTERM'), signals.listenerCount('SIGINT'));
        return { DEMO_PORT: 1 };
      },
    });
    await new Promise((r) => setImmediate(r));
    h.signals.emit('SIGTERM');
    expect(await h.exited).toBe(0);
    expect(seen).toEqual([1, 1]);
  });

  it('drains on SIGTERM: closers in reverse order, then an awaited log flush, then exit 0', async () => {
    const h = harness({
      run: async ({ closers, stopped, signal }) => {
        closers.push('producer', () => void h.events.push('closed producer'));
        closers.push('listen socket', () => void h.events.push('closed listen socket'));
        const by = await stopped;
        h.events.push(`stopped by ${by}`, `aborted ${String(signal.aborted)}`);
      },
    });
    await new Promise((r) => setImmediate(r));
    h.signals.emit('SIGTERM');
    expect(await h.exited).toBe(0);
    expect(h.events).toEqual([
      'stopped by SIGTERM',
      'aborted true',
      'closed listen socket',
      'closed producer',
      'flushed',
      'exit 0',
    ]);
    expect(h.logs.map((l) => l['msg'])).toEqual(['draining', 'stopped']);
    // The handlers are gone after the first signal: a second one gets the default (it kills).
    expect(h.signals.listenerCount('SIGTERM') + h.signals.listenerCount('SIGINT')).toBe(0);
  });

  it('still drains when the signal arrives during start-up', async () => {
    let startupDone: () => void = () => undefined;
    const h = harness({
      run: async ({ closers, stopped }) => {
        await new Promise<void>((r) => (startupDone = r));
        closers.push('consumer', () => void h.events.push('closed consumer'));
        await stopped;
      },
    });
    await new Promise((r) => setImmediate(r));
    h.signals.emit('SIGINT');
    startupDone();
    expect(await h.exited).toBe(0);
    expect(h.events).toEqual(['closed consumer', 'flushed', 'exit 0']);
  });

  it('exits 1 on a fatal error, after closing what started and flushing the log', async () => {
    const h = harness({
      run: ({ closers }) => {
        closers.push('producer', () => void h.events.push('closed producer'));
        return Promise.reject<undefined>(new Error('broker unreachable'));
      },
    });
    expect(await h.exited).toBe(1);
    expect(h.events).toEqual(['closed producer', 'flushed', 'exit 1']);
    expect(h.out.stderr).toMatch(/^demo: fatal: Error: broker unreachable/);
    expect(h.logs[0]).toMatchObject({ level: 60, msg: 'fatal error' });
  });

  it('exits 2 when running finds a usage or configuration error, and with the code run returns', async () => {
    const usage = harness({
      run: () => Promise.reject<undefined>(new UsageError('--from: required')),
    });
    expect(await usage.exited).toBe(2);
    expect(usage.out.stderr).toMatch(/^demo: --from: required\n/);
    const config = harness({
      run: () => Promise.reject<undefined>(new ConfigError('INVENTORY_TOKEN', 'required')),
    });
    expect(await config.exited).toBe(2);
    expect(config.out.stderr).toBe('demo: invalid configuration: INVENTORY_TOKEN: required\n');
    expect(await harness({ run: () => Promise.resolve(1) }).exited).toBe(1);
  });
});

describe('runService as a process', () => {
  const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
  const CHILD = fileURLToPath(new URL('../testing/service-child.ts', import.meta.url));

  function child(
    env: Record<string, string>,
    onStdout?: (text: string, signal: (s: NodeJS.Signals) => void) => void,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const p = spawn(
        process.execPath,
        ['--conditions=@streambid/source', '--import', 'tsx', CHILD],
        { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        onStdout?.(stdout, (s) => p.kill(s));
      });
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.once('error', reject);
      p.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('drains a SIGTERM received during start-up and exits 0', async () => {
    let sent = false;
    const r = await child({ CHILD_MODE: 'drain' }, (out, signal) => {
      if (!sent && out.includes('starting\n')) {
        sent = true;
        signal('SIGTERM');
      }
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/starting\n(.|\n)*started\n(.|\n)*closed second\nclosed first\n/);
    expect(r.stdout).toContain('"msg":"stopped"');
  }, 30_000);

  it('exits 1 on a fatal error with the closers run and the fatal log line written out', async () => {
    const r = await child({ CHILD_MODE: 'fatal' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('service-child: fatal: Error: broker unreachable');
    expect(r.stdout).toContain('closed first\n');
    expect(r.stdout).not.toContain('closed second');
    expect(r.stdout).toMatch(/"level":60,.*"msg":"fatal error"/);
  }, 30_000);

  it('exits 2 naming a bad variable', async () => {
    const r = await child({ CHILD_PORT: 'eighty' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^service-child: invalid configuration: CHILD_PORT: /);
    expect(r.stdout).toBe('');
  }, 30_000);
});
