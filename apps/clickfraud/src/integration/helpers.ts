import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  chExec,
  chQuery,
  createPublisher,
  ensureTopics,
  rawSql,
  silentLogger,
  sqlIdent,
  type ClickHouseClient,
  type Publisher,
} from '@streambid/adapters';
import type { Catalogue, TopicDef } from '@streambid/contracts';
import { endpoints, testClickHouse, testKafka, uniq } from '@streambid/testkit/services';
import { generateTraffic, type Traffic, type TrafficOptions } from '@streambid/traffic';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import { loadClickfraudConfig } from '../config.js';
import { produceTraffic as produceEvents } from '../eval/run.js';
import type { ServiceDeps } from '../service.js';

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Generates a labelled mix and produces it to the namespace's clicks and impressions topics. */
export async function produceTraffic(
  kafka: Kafka,
  topics: Catalogue,
  opts: TrafficOptions,
): Promise<Traffic> {
  await ensureTopics(kafka, [
    topics.clicks,
    topics.impressions,
    topics.fraudBlocklist,
    topics.deadLetter,
  ]);
  const traffic = generateTraffic(opts);
  const publisher = await createPublisher(kafka);
  try {
    await produceEvents(publisher, topics, traffic);
  } finally {
    await publisher.close();
  }
  return traffic;
}

export async function count(ch: ClickHouseClient, table: string, where = '1'): Promise<number> {
  const rows = await chQuery<{ n: string }>(
    ch,
    rawSql(`SELECT count() AS n FROM ${table} WHERE ${where}`),
  );
  return Number(rows[0]?.n ?? 0);
}

/** Runs one of the package scripts' entry points as a child process. */
export function runEntry(
  entry: 'main' | 'report-cli' | 'reconcile/cli' | 'report/cli',
  args: string[],
  env: Record<string, string>,
): {
  done: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
  kill: () => void;
} {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@streambid/source',
      '--import',
      'tsx',
      `apps/clickfraud/src/${entry}.ts`,
      ...args,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { done, kill: () => child.kill('SIGKILL') };
}

/**
 * `hourUtc`:00 UTC yesterday. Test traffic carries event times inside the clicks and impressions
 * topics' retention (90 days): with fixed dates years back, the broker's retention check (every
 * 5 minutes) could delete a test's records from under it, and a replay then read nothing.
 */
export function yesterdayAtUtc(hourUtc: number): number {
  const day = 86_400_000;
  return Math.floor(Date.now() / day) * day - day + hourUtc * 3_600_000;
}

/** A fresh ClickHouse database name (an identifier, quoted) unique to one test. */
export function testDatabase(prefix = 'cf'): string {
  return sqlIdent(uniq(prefix).replace('-', '_'));
}

/** The environment of a clickfraud process on the eu Kafka and the test ClickHouse. */
export function clickfraudEnv(ns: string, db: string): Record<string, string> {
  return {
    CLICKHOUSE_URL: endpoints().clickhouse,
    KAFKA_BROKERS: endpoints().kafka.eu ?? '',
    CLICKFRAUD_DB: db,
    TOPIC_NAMESPACE: ns,
  };
}

/** The service's dependencies, configured from `env` (see {@link clickfraudEnv}). */
export function serviceDeps(
  kafka: Kafka,
  ch: ClickHouseClient,
  env: Record<string, string>,
): ServiceDeps {
  return { config: loadClickfraudConfig(env), kafka, ch, logger: silentLogger() };
}

/** The eu Kafka with `topics` created, the test ClickHouse and a publisher. */
export async function openServices(
  topics: TopicDef[],
): Promise<{ kafka: Kafka; ch: ClickHouseClient; publisher: Publisher }> {
  const kafka = testKafka('eu');
  const ch = testClickHouse();
  await ensureTopics(kafka, topics);
  return { kafka, ch, publisher: await createPublisher(kafka) };
}

/** Closes the publisher (if any), drops the test's databases and closes ClickHouse. */
export async function closeServices(
  s: { ch: ClickHouseClient; publisher?: Publisher },
  ...databases: string[]
): Promise<void> {
  await s.publisher?.close();
  for (const db of databases) await chExec(s.ch, rawSql(`DROP DATABASE IF EXISTS ${db}`));
  await s.ch.close();
}

/** The services of one test file: set before its first test runs. */
export interface TestServices {
  kafka: Kafka;
  ch: ClickHouseClient;
  publisher: Publisher;
}

/**
 * Opens the services (with `topics` created) before the file's tests and closes them after,
 * dropping `db`. Read the fields inside a test or hook, not at collection time.
 */
export function useServices(topics: TopicDef[], db: string): TestServices {
  const s = {} as TestServices;
  beforeAll(async () => {
    Object.assign(s, await openServices(topics));
  });
  afterAll(() => closeServices(s, db));
  return s;
}
