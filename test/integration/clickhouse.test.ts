import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chExec, chQuery, rawSql, sql, sqlIdent } from '@streambid/adapters';
import { testClickHouse, uniq } from '@streambid/testkit/services';

const HOSTILE = [
  "it's",
  "'; DROP TABLE hostile; --",
  'back\\slash\\',
  'quote " and \' both',
  'nul\0byte',
  'new\nline\r\nand\ttab',
  'unicode: café ✓ 日本語 🚀',
  '\\x27 literal escape text',
  "\\'",
  'control \x01\x1f\x7f',
  '',
];

describe('ClickHouse with the SQL literal formatter', () => {
  const db = sqlIdent(uniq('test').replace('-', '_'));
  const client = testClickHouse();

  beforeAll(async () => {
    await chExec(client, rawSql(`CREATE DATABASE IF NOT EXISTS ${db}`));
    await chExec(
      client,
      rawSql(`CREATE TABLE ${db}.hostile (i UInt32, s String) ENGINE = MergeTree ORDER BY i`),
    );
  });
  afterAll(async () => {
    await chExec(client, rawSql(`DROP DATABASE IF EXISTS ${db}`));
    await client.close();
  });

  it('answers a query over HTTP', async () => {
    const rows = await chQuery<{ one: number }>(client, sql`SELECT 1 AS one`);
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('keeps hostile strings inert: inserted and read back byte for byte, table intact', async () => {
    const values = HOSTILE.map((s, i) => sql`(${i}, ${s})`.text).join(', ');
    await chExec(client, rawSql(`INSERT INTO ${db}.hostile (i, s) VALUES ${values}`));
    const rows = await chQuery<{ i: number; s: string }>(
      client,
      rawSql(`SELECT i, s FROM ${db}.hostile ORDER BY i`),
    );
    expect(rows.map((r) => r.s)).toEqual(HOSTILE);
    for (const s of HOSTILE) {
      const hit = await chQuery<{ c: string }>(
        client,
        sql`SELECT count() AS c FROM ${rawSql(`${db}.hostile`)} WHERE s = ${s}`,
      );
      expect(Number(hit[0]?.c)).toBe(1);
    }
  });
});
