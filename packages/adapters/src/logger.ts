import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Structured JSON logs: one root logger per process, `module` children per component. */
export function createLogger(opts: {
  service: string;
  level?: string;
  destination?: number;
}): Logger {
  return pino(
    {
      base: { service: opts.service },
      level: opts.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ dest: opts.destination ?? 1, sync: false }),
  );
}

/** A logger that writes nothing (tests and benchmarks that only care about behaviour). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Writes out what the logger still buffers (its destination is asynchronous) before the process
 * exits. Resolves after `timeoutMs` at the latest, so a stuck stdout cannot keep a process alive.
 * @param timeoutMs @default 2000
 */
export function flushLogger(logger: Logger, timeoutMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    try {
      logger.flush(done);
    } catch {
      done(); // a destroyed stream has nothing left to write
    }
  });
}
