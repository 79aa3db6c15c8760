/**
 * A service run by `runService` as its own process, for the exit-status tests
 * (service/run-service.test.ts). CHILD_MODE: `drain` starts slowly (a signal may arrive
 * meanwhile) then serves until a signal; `fatal` fails while starting. A bad CHILD_PORT is a
 * configuration error. Closers are reported on stdout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { envRows } from '../cli/env-help.js';
import { createLogger } from '../logger.js';
import { runService } from '../service/run-service.js';

const schema = z.object({
  /** Port the child pretends to serve on. */
  CHILD_PORT: z.coerce.number().int().min(1).default(8080),
  CHILD_MODE: z.enum(['drain', 'fatal']).default('drain'),
});

void runService({
  command: {
    name: 'service-child',
    usage: 'node service-child.ts',
    flags: {},
    env: envRows(schema),
  },
  config: () => loadConfig(schema),
  logger: () => createLogger({ service: 'service-child', level: 'info' }),
  run: async ({ config, closers, stopped }) => {
    closers.push('first', () => void process.stdout.write('closed first\n'));
    process.stdout.write('starting\n');
    await sleep(300);
    if (config.CHILD_MODE === 'fatal') throw new Error('broker unreachable');
    closers.push('second', () => void process.stdout.write('closed second\n'));
    process.stdout.write('started\n');
    await stopped;
  },
});
