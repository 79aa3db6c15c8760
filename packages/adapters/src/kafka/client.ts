import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import type { Logger } from 'pino';
import { REGIONS } from '@streambid/contracts';
import { defaultBrokers } from '../config.js';
import { applyKafkajsIdleTimerFix } from './idle-timer-fix.js';

// kafkajs reports every retriable protocol error (leader moves, coordinator loading) at ERROR and
// retries it; our own code logs what actually fails. One level down keeps operator logs meaningful.
const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'warn',
  [logLevel.WARN]: 'info',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** A kafkajs client whose logs go through our structured logger. */
export function createKafka(opts: {
  clientId: string;
  brokers: string[];
  logger: Logger;
  extra?: Partial<KafkaConfig>;
}): Kafka {
  applyKafkajsIdleTimerFix();
  const log = opts.logger.child({ module: 'kafkajs' });
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 3000 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log[LEVELS[level] ?? 'info'](rest, message);
      },
    ...opts.extra,
  });
}

/**
 * A client for every region's Kafka at its local default address, failing fast (one attempt, 1 s
 * to connect): for clean-up across a local multi-region stack, where some regions may be down.
 */
export function localClusters(clientId: string, logger: Logger): Kafka[] {
  return REGIONS.map((r) =>
    createKafka({
      clientId,
      brokers: defaultBrokers(r),
      logger,
      extra: { connectionTimeout: 1000, retry: { retries: 0 } },
    }),
  );
}
