/**
 * Hash vs encoded blob for the one-round-trip profile read, and the write cost of each layout.
 * `node --conditions=@streambid/source --import tsx packages/profiles/bench/format.bench.ts`
 * (REDIS_URL overrides the local eu Redis). Last line: JSON with the figures per layout.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deleteKeysWithPrefix } from '@streambid/testkit';
import {
  ProfileFormat,
  ProfileReader,
  ProfileWriter,
  profileKey,
  type ProfileUpdate,
  type SourcedUpdate,
} from '../src/index.js';

const USERS = 5000;
const SEGMENTS_PER_USER = 20;
const CAMPAIGNS_PER_USER = 8;
const READS = 20_000;
const CONCURRENCY = 16;

function profileUpdates(now: number): ProfileUpdate[] {
  const out: ProfileUpdate[] = [];
  for (let u = 0; u < USERS; u++) {
    const userId = `user-${String(u)}`;
    const segments = Array.from({ length: SEGMENTS_PER_USER }, (_, s) => ({
      id: `cat:IAB${String(s)}-${String(u % 7)}`,
      weight: 0.2,
    }));
    out.push({ type: 'pageview', userId, ts: now - 1000, segments, country: 'DEU', deviceType: 2 });
    for (let c = 0; c < CAMPAIGNS_PER_USER; c++)
      out.push({ type: 'impression', userId, ts: now - 500, campaignId: `campaign-${String(c)}` });
  }
  return out;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

async function measure(redis: Redis, format: ProfileFormat): Promise<Record<string, number>> {
  const keyPrefix = `bench-${randomBytes(4).toString('hex')}:`;
  const writer = new ProfileWriter(redis, { keyPrefix, format, maxOpsPerCall: 64 });
  const reader = new ProfileReader(redis, { keyPrefix, format });
  const now = Date.now();
  const updates = profileUpdates(now);
  const batch: SourcedUpdate[] = updates.map((update, i) => ({ offset: String(i), update }));
  const w0 = performance.now();
  for (let i = 0; i < batch.length; i += 1000)
    await writer.applyPartitionBatch({ topic: 'bench', partition: 0 }, batch.slice(i, i + 1000));
  const writeS = (performance.now() - w0) / 1000;

  const lat: number[] = [];
  let next = 0;
  const r0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < READS) {
        const u = next++ % USERS;
        const t = performance.now();
        const res = await reader.get(`user-${String(u)}`, now);
        lat.push(performance.now() - t);
        if (res.kind !== 'found') throw new Error(`profile user-${String(u)} ${res.kind}`);
      }
    }),
  );
  const readS = (performance.now() - r0) / 1000;
  // Decode cost alone, without the network: what each layout costs the bid path's CPU.
  const raw =
    format === 'hash'
      ? await redis.hgetall(profileKey(keyPrefix, 'user-1'))
      : await redis.get(profileKey(keyPrefix, 'user-1'));
  const bytes = Number(await redis.memory('USAGE', profileKey(keyPrefix, 'user-1')));
  const sequential: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    await reader.get(`user-${String(i % USERS)}`, now);
    sequential.push(performance.now() - t);
  }
  lat.sort((a, b) => a - b);
  sequential.sort((a, b) => a - b);
  await deleteKeysWithPrefix(redis, keyPrefix);
  return {
    write_updates_per_s: Math.round(updates.length / writeS),
    read_ops_per_s: Math.round(READS / readS),
    read_concurrent_p50_ms: round(quantile(lat, 0.5)),
    read_concurrent_p99_ms: round(quantile(lat, 0.99)),
    read_sequential_p50_ms: round(quantile(sequential, 0.5)),
    read_sequential_p99_ms: round(quantile(sequential, 0.99)),
    stored_bytes_per_profile: bytes,
    raw_chars: JSON.stringify(raw).length,
  };
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

async function main(): Promise<void> {
  const redis = new Redis(process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  try {
    const out: Record<string, Record<string, number>> = {};
    // Run each layout twice, alternating, and keep the second run (warm JIT and Redis).
    for (const round of [0, 1])
      for (const format of Object.values(ProfileFormat)) {
        const r = await measure(redis, format);
        if (round === 1) out[format] = r;
      }
    console.log(
      JSON.stringify({
        bench: 'profile-format',
        users: USERS,
        segments_per_user: SEGMENTS_PER_USER,
        campaigns_per_user: CAMPAIGNS_PER_USER,
        ...out,
      }),
    );
  } finally {
    redis.disconnect();
  }
}

await main();
