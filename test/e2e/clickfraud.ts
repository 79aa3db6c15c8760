import { spawn } from 'node:child_process';
import type { Stack } from '@streambid/loadtest';

/**
 * Runs a clickfraud command to completion against the stack's topics and the ClickHouse database
 * `db` (a fresh one per test); resolves with the exit code.
 */
export function clickfraud(stack: Stack, db: string, args: string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@streambid/source', '--import', 'tsx', 'apps/clickfraud/src/main.ts', ...args],
      {
        env: {
          ...process.env,
          REGION: 'eu',
          KAFKA_BROKERS: stack.brokers['eu'] ?? '',
          CLICKHOUSE_URL: stack.endpoints.clickhouse,
          TOPIC_NAMESPACE: stack.ns,
          CLICKFRAUD_DB: db,
          LOG_LEVEL: 'warn',
        },
        stdio: 'ignore',
      },
    );
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}
