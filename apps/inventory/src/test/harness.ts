import { randomUUID } from 'node:crypto';
import { silentLogger } from '@streambid/adapters';
import type { Region, Spend } from '@streambid/contracts';
import { inventoryEnv, type InventoryConfig } from '../config.js';
import { startInventory, type InventoryService } from '../service.js';
import { makeSpend, SAMPLE_BANNER } from '@streambid/testkit';

export const TOKEN = 'test-token-0123456789';

/** Config for an in-process service on a free port (0) under a test namespace. */
export function testConfig(
  ns: string,
  broker: string,
  over: Record<string, string> = {},
): InventoryConfig {
  const cfg = inventoryEnv.parse({
    INVENTORY_TOKEN: TOKEN,
    KAFKA_BROKERS: broker,
    TOPIC_NAMESPACE: ns,
    LOG_LEVEL: 'silent',
    INVENTORY_REGIONS: 'eu,us',
    BUDGET_INTERVAL_MS: '100',
    ...over,
  });
  return { ...cfg, INVENTORY_PORT: 0, INVENTORY_HOST: '127.0.0.1' };
}

export async function startReady(cfg: InventoryConfig): Promise<InventoryService> {
  const s = await startInventory(cfg, silentLogger());
  await s.ready;
  return s;
}

/** A JSON request to the service; `token: null` sends none. */
export async function call(
  port: number,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = TOKEN,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  const res = await fetch(`http://127.0.0.1:${String(port)}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text },
  };
}

/** A valid `POST /campaigns` body. */
export function campaignBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Date.now();
  return {
    advertiser: 'acme',
    name: 'spring sale',
    creatives: [SAMPLE_BANNER],
    targeting: { countries: ['USA', 'DEU'], deviceTypes: [2, 4], segments: ['auto-intender'] },
    bidCpmMicros: 2_000_000,
    budget: { totalMicros: 1_000_000_000 },
    flight: { start: now - 3_600_000, end: now + 86_400_000 },
    frequencyCap: { perDay: 5 },
    deals: [{ id: 'deal-1', floorMicros: 1_000_000 }],
    ...over,
  };
}

/** A spend event for a campaign. */
export function spendEvent(
  campaignId: string,
  region: Region,
  amountMicros: number,
  eventId = randomUUID(),
): Spend {
  return makeSpend({ eventId, campaignId, region, amountMicros });
}

/**
 * A request exactly as given: the path is not normalised, the body is sent as-is (text or bytes)
 * and only the headers given are sent, besides the token.
 */
export async function send(
  port: number,
  method: string,
  path: string,
  opts: { body?: string | Buffer; headers?: Record<string, string>; token?: string | null } = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  const res = await fetch(`http://127.0.0.1:${String(port)}${path}`, {
    method,
    headers,
    ...(opts.body === undefined ? {} : { body: opts.body }),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text },
  };
}
