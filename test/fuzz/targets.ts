/**
 * The requests of `fuzz:http`, as raw as HTTP/1.1 framing allows: mutated bid bodies with their
 * headers, tracker URLs harvested from real bids with mutated query strings, and inventory API
 * paths and campaign bodies mutated as text. Each case says how long its answer may take.
 */
import { parseBidRequest } from '@streambid/contracts';
import {
  bidCase,
  chance,
  mutateJson,
  mutateQuery,
  mutateSegment,
  pick,
  scanSeed,
  type Rng,
  type Seed,
  type SeedPool,
} from '@streambid/bidder/fuzz';
import { SAMPLE_BANNER } from '@streambid/testkit';

export type Target = 'bid' | 'tracker' | 'inventory';
/** What a tracker hit is expected to produce when it is genuine. */
export type TrackerKind = 'win' | 'bill' | 'loss' | 'imp' | 'click';

export interface HttpCase {
  target: Target;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** Longest acceptable wait for the answer, ms. */
  limitMs: number;
  /** Mutation classes (empty for an untouched request). */
  classes: string[];
  /** Read the body (bids, to harvest trackers; tracker answers, to count billed wins). */
  readBody: boolean;
  tracker?: TrackerKind;
}

/** Tracker URLs (path and query) of real bids, kept to hit and mutate. */
export class TrackerPool {
  private readonly urls: { kind: TrackerKind; path: string; query: string }[] = [];
  private next = 0;

  constructor(private readonly max = 2000) {}

  get size(): number {
    return this.urls.length;
  }

  /** Takes the tracker URLs of a 200 bid answer; returns its number of bids. */
  harvest(body: string): number {
    let res: {
      seatbid?: { bid?: { nurl?: string; burl?: string; lurl?: string; adm?: string }[] }[];
    };
    try {
      res = JSON.parse(body) as typeof res;
    } catch {
      return -1;
    }
    let n = 0;
    for (const sb of res.seatbid ?? [])
      for (const b of sb.bid ?? []) {
        n++;
        for (const u of [b.nurl, b.burl, b.lurl]) if (u) this.add(u);
        for (const m of (b.adm ?? '').matchAll(
          /https?:\/\/[^"'<>\s\]]+\/t\/(?:imp|click)\?t=[A-Za-z0-9_.-]+/g,
        ))
          this.add(m[0]);
      }
    return n;
  }

  private add(url: string): void {
    const u = /^https?:\/\/[^/]+(\/t\/(win|bill|loss|imp|click))\?(.*)$/.exec(
      url.replace(/&amp;/g, '&'),
    );
    if (!u?.[1] || !u[2]) return;
    const entry = { kind: u[2] as TrackerKind, path: u[1], query: u[3] ?? '' };
    if (this.urls.length < this.max) this.urls.push(entry);
    else this.urls[this.next++ % this.max] = entry;
  }

  pick(rng: Rng): { kind: TrackerKind; path: string; query: string } | undefined {
    return this.urls.length === 0 ? undefined : pick(rng, this.urls);
  }
}

const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/vnd.openrtb+json',
  '',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
];

/** A bid request: a mutated body, its content type and OpenRTB version; limit tmax + 50 ms. */
export function bidHttpCase(
  rng: Rng,
  seeds: SeedPool,
  seed: number,
  i: number,
  defaultTmaxMs: number,
): HttpCase {
  const c = bidCase(seeds, seed, i);
  const headers: Record<string, string> = {};
  const ct = pick(rng, CONTENT_TYPES);
  if (ct !== '') headers['content-type'] = ct;
  const version = chance(rng, 0.05)
    ? pick(rng, ['3.0', '2', '2.6.0.1', 'x'.repeat(300)])
    : c.version;
  if (version !== '') headers['x-openrtb-version'] = version;
  const parsed = parseBidRequest(c.bytes.toString('utf8'));
  const tmax =
    parsed.ok && parsed.value.tmax !== undefined && parsed.value.tmax > 0
      ? parsed.value.tmax
      : defaultTmaxMs;
  const method = chance(rng, 0.02) ? pick(rng, ['GET', 'PUT', 'DELETE', 'OPTIONS']) : 'POST';
  return {
    target: 'bid',
    method,
    path: chance(rng, 0.02)
      ? pick(rng, ['/openrtb2/bid/', '/openrtb2/BID', '/openrtb2/bid?x=%zz', '//openrtb2/bid'])
      : '/openrtb2/bid',
    headers,
    body: method === 'GET' ? undefined : c.bytes,
    limitMs: tmax + 50,
    classes: c.classes.slice(),
    readBody: true,
  };
}

/** A tracker hit: a harvested URL as it came (billing it), or with its query or path mutated. */
export function trackerHttpCase(rng: Rng, pool: TrackerPool): HttpCase | undefined {
  const t = pool.pick(rng);
  if (!t) return undefined;
  let query = t.query;
  const classes: string[] = [];
  if (!chance(rng, 0.35)) {
    const token = /(?:^|&)t=([^&]*)/.exec(query)?.[1];
    query = mutateQuery(rng, query, token === undefined ? {} : { token });
    classes.push('query');
  } else if (chance(rng, 0.5) && (t.kind === 'win' || t.kind === 'bill')) {
    // A substituted clearing price, at or under our bid.
    query = query.replace('${AUCTION_PRICE}', pick(rng, ['0.5', '1', '0', '1.000001']));
  }
  let path = t.path;
  if (chance(rng, 0.05)) {
    path = `/t/${mutateSegment(rng, t.kind)}`;
    classes.push('path');
  }
  const method =
    (t.kind === 'win' || t.kind === 'bill') && chance(rng, 0.2)
      ? 'POST'
      : chance(rng, 0.01)
        ? 'PUT'
        : 'GET';
  const headers: Record<string, string> = {};
  if (chance(rng, 0.3))
    headers['user-agent'] = pick(rng, ['Mozilla/5.0', 'é'.repeat(2000), '', 'curl/8']);
  if (chance(rng, 0.1))
    headers['x-forwarded-for'] = pick(rng, ['1.2.3.4', 'x'.repeat(300), ', ,', '::1, 10.0.0.1']);
  return {
    target: 'tracker',
    method,
    path: `${path}?${query}`,
    headers,
    body: method === 'POST' ? Buffer.from(chance(rng, 0.5) ? '' : '{"x":1e999}') : undefined,
    // A win notice waits for Kafka to acknowledge the spend.
    limitMs: 2000,
    classes,
    readBody: t.kind === 'win' || t.kind === 'bill',
    tracker: t.kind,
  };
}

/** Campaign write bodies the inventory API accepts, as text to mutate. */
export function campaignSeeds(now = Date.now()): Seed[] {
  const base = {
    advertiser: 'fuzz',
    name: 'fuzzed campaign',
    creatives: [SAMPLE_BANNER],
    bidCpmMicros: 20_000_000,
    budget: { totalMicros: 1_000_000_000_000 },
    flight: { start: now - 3_600_000, end: now + 86_400_000 },
  };
  const bodies: unknown[] = [
    base,
    {
      ...base,
      targeting: {
        countries: ['USA', 'DEU'],
        deviceTypes: [2, 4],
        siteDomains: ['news.example.com'],
      },
    },
    {
      ...base,
      currency: 'EUR',
      frequencyCap: { perDay: 3 },
      deals: [{ id: 'deal-fz-1', floorMicros: 1_000_000 }],
    },
    {
      ...base,
      flight: {
        start: new Date(now - 3_600_000).toISOString(),
        end: new Date(now + 86_400_000).toISOString(),
      },
    },
    { version: 1, name: 'renamed', bidCpmMicros: 3_000_000 },
    { version: 1 },
  ];
  return bodies.map((b, i) => scanSeed(`campaign-${String(i)}`, JSON.stringify(b)));
}

const ACTIONS = ['pause', 'resume', 'archive'];

/** An inventory API call: a path with a mutated id, action or query, or a mutated write body. */
export function inventoryHttpCase(
  rng: Rng,
  seeds: readonly Seed[],
  ids: readonly string[],
  token: string,
): HttpCase {
  const id = ids.length > 0 && chance(rng, 0.8) ? pick(rng, ids) : 'c-missing';
  const classes: string[] = [];
  const seg = (s: string): string => {
    if (!chance(rng, 0.5)) return s;
    classes.push('path');
    return mutateSegment(rng, s);
  };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const auth = rng();
  if (auth < 0.9) headers['authorization'] = `Bearer ${token}`;
  else if (auth < 0.95)
    headers['authorization'] = pick(rng, [
      'Bearer',
      'Bearer ',
      `Bearer ${'x'.repeat(8000)}`,
      'Basic Zm9vOmJhcg==',
      `bearer ${token}`,
      `Bearer ${token}%00`,
    ]);
  let body: Buffer | undefined;
  const write = (): Buffer => {
    const s = pick(rng, seeds);
    const m = chance(rng, 0.1) ? mutateJson(rng, s, { edits: 0 }) : mutateJson(rng, s);
    classes.push(...m.classes);
    return m.body;
  };
  let method = 'GET';
  let path: string;
  const r = rng();
  if (r < 0.25) path = `/campaigns/${seg(id)}`;
  else if (r < 0.35) path = `/campaigns/${seg(id)}/status`;
  else if (r < 0.45) {
    const q = `status=${pick(rng, ['active', 'paused', '%zz', ''])}&advertiser=${pick(rng, ['fuzz', '%E0%A4%A', '__proto__'])}`;
    path = `/campaigns?${chance(rng, 0.5) ? mutateQuery(rng, q) : q}`;
  } else if (r < 0.7) {
    method = 'POST';
    path = '/campaigns';
    body = write();
  } else if (r < 0.85) {
    method = pick(rng, ['PUT', 'PATCH']);
    path = `/campaigns/${seg(id)}`;
    body = write();
  } else if (r < 0.95) {
    method = 'POST';
    path = `/campaigns/${seg(id)}/${seg(pick(rng, [...ACTIONS, 'constructor', '__proto__', 'hasOwnProperty', 'toString']))}`;
    body = Buffer.from(
      pick(rng, [
        '',
        '{}',
        '{"version":1}',
        '{"version":1e999}',
        '{"version":-0}',
        '{"__proto__":{}}',
        '[',
        '\u0000',
      ]),
    );
  } else {
    path = pick(rng, ['/healthz', '/metrics', '/campaigns/', '/', '/nope', '/campaigns//status']);
  }
  return {
    target: 'inventory',
    method,
    path,
    headers,
    body,
    // Writes wait for the record to come back through Kafka.
    limitMs: method === 'GET' ? 1000 : 5000,
    classes,
    readBody: method === 'POST' && path === '/campaigns',
  };
}
