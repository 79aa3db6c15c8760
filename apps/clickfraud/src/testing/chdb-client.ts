import type { ClickHouseClient } from '@streambid/adapters';
import type { Session } from 'chdb';

/**
 * The part of the ClickHouse client the clickfraud code calls (`command`, `query` with JSON or
 * JSONEachRow, `insert` of JSONEachRow rows, `close`), answered by an embedded current ClickHouse
 * engine (chdb). Not a mock: every statement runs on a real engine, so the same migration and
 * report code proves its SQL on current ClickHouse as the integration tests do on 18.16.
 * Session settings match the server's defaults the code relies on (UInt64 quoted in JSON).
 */
export function chdbClient(session: Session): ClickHouseClient {
  const settings = (s: Record<string, unknown> | undefined): string => {
    const pairs = Object.entries(s ?? {});
    return pairs.length === 0
      ? ''
      : ` SETTINGS ${pairs.map(([k, v]) => `${k} = ${typeof v === 'number' ? String(v) : `'${String(v)}'`}`).join(', ')}`;
  };
  const run = (query: string, format: string): string =>
    session.query(query.trimEnd().replace(/;$/, ''), format);
  const client = {
    command: ({ query }: { query: string }) => {
      run(query, 'TabSeparated');
      return Promise.resolve({ query_id: '' });
    },
    query: ({
      query,
      format = 'JSON',
      clickhouse_settings,
    }: {
      query: string;
      format?: string;
      clickhouse_settings?: Record<string, unknown>;
    }) => {
      const text = run(`${query}${settings(clickhouse_settings)}`, format);
      const rows = (): unknown[] =>
        text
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l) as unknown);
      return Promise.resolve({
        json: () => Promise.resolve(format === 'JSONEachRow' ? rows() : JSON.parse(text)),
        text: () => Promise.resolve(text),
        // One chunk of every row, each with `json()`, as the client's stream yields.
        stream: async function* () {
          await Promise.resolve();
          yield rows().map((r) => ({ json: () => r }));
        },
      });
    },
    insert: ({
      table,
      values,
      format,
    }: {
      table: string;
      values: readonly Record<string, unknown>[];
      format: string;
    }) => {
      if (format !== 'JSONEachRow') throw new Error(`chdbClient: insert ${format} not supported`);
      run(
        `INSERT INTO ${table} FORMAT JSONEachRow\n${values.map((v) => JSON.stringify(v)).join('\n')}`,
        'TabSeparated',
      );
      return Promise.resolve({ executed: true, query_id: '' });
    },
    close: () => Promise.resolve(),
  };
  return client as unknown as ClickHouseClient;
}
