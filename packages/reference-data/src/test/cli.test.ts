import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublisher, ensureTopics, waitFor, type Publisher } from '@streambid/adapters';
import type { DatacentreRanges, SellersList, TopicDef } from '@streambid/contracts';
import { brokerFor, testKafka, testTopics, valueCollector } from '@streambid/testkit/services';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=@streambid/source',
      '--import',
      'tsx',
      'packages/reference-data/src/cli/main.ts',
      ...args,
    ],
    { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: 'pipe' },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** The first `n` values of `topic`, read from the beginning. */
async function firstValues<T>(
  topic: TopicDef,
  n: number,
  pub: Publisher,
  deadLetterTopic: string,
): Promise<T[]> {
  const seen: T[] = [];
  const c = valueCollector<T>({
    kafka: testKafka('eu'),
    topic,
    sink: seen,
    deadLetter: pub,
    deadLetterTopic,
  });
  await c.start();
  try {
    await waitFor(() => seen.length >= n, { timeoutMs: 15_000, what: `${String(n)} values` });
  } finally {
    await c.stop();
  }
  return seen;
}

describe('npm run reference-data -- publish', () => {
  const { ns, topics } = testTopics();
  const env = { TOPIC_NAMESPACE: ns, KAFKA_BROKERS: brokerFor('eu'), REGION: 'eu' };
  const dir = mkdtempSync(join(tmpdir(), 'reference-cli-'));
  const file = (name: string, body: unknown): string => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(body));
    return p;
  };
  let pub: Publisher;

  beforeAll(async () => {
    const kafka = testKafka('eu');
    await ensureTopics(kafka, Object.values(topics));
    pub = await createPublisher(kafka);
  });
  afterAll(() => pub.close());

  it('publishes versions numbered after the highest in the topic, and refuses to overwrite one', async () => {
    const ranges = file('dc.json', [{ cidr: '203.0.113.0/24', provider: 'test' }]);
    const args = ['publish', '--kind', 'datacentre', '--file', ranges];
    const first = await cli([...args, '--effective-from', '2026-01-01T00:00:00Z'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ key: 'v1', version: 1, entries: 1 });
    const second = await cli(args, env);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ key: 'v2', version: 2 });
    const again = await cli([...args, '--version', '1'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--version: 1 is already in');

    const seen = await firstValues<DatacentreRanges>(
      topics.referenceDatacentre,
      2,
      pub,
      topics.deadLetter.name,
    );
    expect(seen.map((v) => [v.version, v.ranges[0]?.cidr])).toEqual([
      [1, '203.0.113.0/24'],
      [2, '203.0.113.0/24'],
    ]);
    expect(seen[0]?.effectiveFrom).toBe(Date.parse('2026-01-01T00:00:00Z'));
  }, 60_000);

  it('retires a version with a tombstone, after which it is no longer held', async () => {
    const bots = file('bots.json', ['zqalpha']);
    const kind = ['--kind', 'bots'];
    for (const expected of [1, 2]) {
      const r = await cli(['publish', ...kind, '--file', bots], env);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ version: expected });
    }
    const retired = await cli(['retire', ...kind, '--version', '2'], env);
    expect(retired.code, retired.stderr).toBe(0);
    expect(JSON.parse(retired.stdout)).toMatchObject({ retired: ['v2'], version: 2 });
    const twice = await cli(['retire', ...kind, '--version', '2'], env);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('--version: 2 is not in');
    // The highest version held is 1 again: the next one is 2.
    const next = await cli(['publish', ...kind, '--file', bots], env);
    expect(JSON.parse(next.stdout)).toMatchObject({ version: 2 });
  }, 60_000);

  it('publishes a sellers.json file as the list of its ad system', async () => {
    const sellers = file('sellers.json', {
      version: '1.0',
      contact_email: 'ops@ssp.example',
      sellers: [{ seller_id: 42, seller_type: 'publisher', name: 'Pub', domain: 'pub.example' }],
    });
    const r = await cli(
      ['publish', '--kind', 'sellers', '--asi', 'SSP.example', '--file', sellers],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ key: 'ssp.example:v1', entries: 1 });
    const seen = await firstValues<SellersList>(
      topics.referenceSellers,
      1,
      pub,
      topics.deadLetter.name,
    );
    expect(seen[0]?.sellers).toEqual([
      { seller_id: '42', seller_type: 'PUBLISHER', domain: 'pub.example' },
    ]);
  }, 60_000);

  it('names the wrong field of a bad file and the flag at fault, exiting 2 before connecting', async () => {
    const bad = file('bad.json', { ranges: [{ cidr: '10.0.0.0/33', provider: 'x' }] });
    const r = await cli(['publish', '--kind', 'datacentre', '--file', bad], {
      ...env,
      // Nothing listens here: a command that connected before validating would hang or fail 1.
      KAFKA_BROKERS: '127.0.0.1:1',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ranges.0.cidr: malformed CIDR "10.0.0.0/33"');
    const flag = await cli(['publish', '--kind', 'datacentre', '--file', bad, '--from', 'x'], env);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('unknown flag --from');
    const sellers = await cli(['publish', '--kind', 'sellers', '--file', bad], env);
    expect(sellers.code).toBe(2);
    expect(sellers.stderr).toContain('--asi: required for sellers');
  }, 60_000);
});
