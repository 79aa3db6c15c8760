import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  chQuery,
  createPublisher,
  ensureTopics,
  rawSql,
  type ClickHouseClient,
} from '@streambid/adapters';
import type { Catalogue } from '@streambid/contracts';
import { generateTraffic, type Traffic, type TrafficOptions } from '@streambid/traffic';
import type { Kafka } from 'kafkajs';
import { produceTraffic as produceEvents } from '../eval/run.js';

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
  entry: 'main' | 'report-cli',
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
