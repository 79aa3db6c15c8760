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
