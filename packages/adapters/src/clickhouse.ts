import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Sql } from './sql.js';

export type { ClickHouseClient } from '@clickhouse/client';

/**
 * A ClickHouse HTTP client. Works against 18.16 (the server these machines install) and current
 * releases: no query parameters are used; values reach SQL through `sql`/`sqlLiteral` only.
 */
export function createClickHouse(opts: {
  url: string;
  database?: string;
  requestTimeoutMs?: number;
}): ClickHouseClient {
  return createClient({
    url: opts.url,
    ...(opts.database === undefined ? {} : { database: opts.database }),
    request_timeout: opts.requestTimeoutMs ?? 60_000,
    compression: { request: false, response: false },
    clickhouse_settings: {},
    // Failed queries reject with the server's error and callers decide; the client's own console
    // logging would print expected failures (e.g. probing a database that does not exist yet).
    log: { level: ClickHouseLogLevel.OFF },
  });
}

/** Runs a statement that returns no rows (DDL, INSERT … SELECT). */
export async function chExec(client: ClickHouseClient, statement: Sql): Promise<void> {
  await client.command({ query: statement.text });
}

/** Runs a query and returns its rows as objects (UInt64 values arrive as strings). */
export async function chQuery<T>(client: ClickHouseClient, query: Sql): Promise<T[]> {
  const rs = await client.query({ query: query.text, format: 'JSONEachRow' });
  return rs.json<T>();
}
