import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { createKafka, type ClickHouseClient, type Logger } from '@streambid/adapters';
import { remoteTopicName, TOPICS, type Region } from '@streambid/contracts';
import { migrateLedger } from '../schema/ledger.js';
import { migrate } from '../schema/migrations.js';
import { currentVersion, INITIAL_VERSION } from '../schema/models.js';
import type { ModelTables } from '../schema/names.js';
import { readClickHouse } from './clickhouse-source.js';
import { reconcile, type Reconciliation } from './compare.js';
import type { ReconcileConfig } from './config.js';
import type { Facts, LedgerCampaign, LedgerSide, RegionLedger, Window } from './facts.js';
import { campaignsInWindow, readRegionLedger } from './ledger-source.js';
import { loadDelivery, loadSpend, type LoadDeps } from './load.js';
import { readRegionAcks, readRegionSpend } from './log-sources.js';

/** What one reconciliation covers and where its sources are. */
export interface ReconcileScope {
  namespace: string;
  regions: Region[];
  /** Already grown to whole minutes. */
  window: Window;
  brokers: ReadonlyMap<Region, string>;
  inventory: ReadonlyMap<Region, string>;
  /** The campaigns whose ledger is compared (a run's), or null: those whose flight is inside the window. */
  campaigns: { list: LedgerCampaign[]; selection: string } | null;
  /** Replay spend into ClickHouse up to the topics' ends before comparing. */
  load: boolean;
  /** Ask the inventories; false = leave the ledger out (said so in the result). */
  ledger: boolean;
  settleMs: number;
}

export interface ReconcileDeps {
  config: ReconcileConfig;
  ch: ClickHouseClient;
  logger: Logger;
  /** Progress lines for the terminal. */
  say: (line: string) => void;
}

/** The analytics region's spend topics: its own and the MirrorMaker copies of the others'. */
function chTopics(scope: ReconcileScope, analytics: Region): string[] {
  const local = `${scope.namespace}${TOPICS.spend.name}`;
  return scope.regions.map((r) => (r === analytics ? local : remoteTopicName(r, local)));
}

/**
 * Gathers the four sources, compares them, and while differences remain and `settleMs` has not
 * passed, gathers again once a second (a copy MirrorMaker has not delivered yet, a bidder's
 * acknowledgement flush due within the second). The last comparison is the answer.
 */
export async function runReconcile(
  deps: ReconcileDeps,
  scope: ReconcileScope,
): Promise<Reconciliation> {
  const analytics = deps.config.REGION;
  const kafkas = new Map<Region, Kafka>();
  for (const r of new Set<Region>([...scope.regions, analytics])) {
    const b = scope.brokers.get(r);
    if (b === undefined) throw new Error(`no broker for region ${r}`);
    kafkas.set(
      r,
      createKafka({ clientId: `clickfraud-reconcile-${r}`, brokers: [b], logger: deps.logger }),
    );
  }
  const ledger = await migrateLedger(deps.ch, deps.config.CLICKFRAUD_DB);
  const tables = scope.load ? await modelOf(deps) : null;
  const topics = chTopics(scope, analytics);
  const deadline = Date.now() + scope.settleMs;
  let loaded: number | null = scope.load ? 0 : null;
  const load: LoadDeps = {
    ch: deps.ch,
    logger: deps.logger,
    say: deps.say,
    analytics,
    kafkas,
    batchRows: deps.config.CLICKFRAUD_BATCH_ROWS,
    lanes: deps.config.CLICKFRAUD_REPLAY_LANES,
    lingerMs: deps.config.CLICKFRAUD_LINGER_MS,
  };
  for (let round = 1; ; round++) {
    if (tables) {
      const n = await loadSpend(
        round === 1 ? load : { ...load, say: () => undefined },
        tables,
        ledger.spend,
        topics,
        scope.window,
      );
      loaded = (loaded ?? 0) + n;
      if (round === 1 || n > 0) deps.say(`loaded ${String(n)} spend rows into ${ledger.spend}`);
    }
    const facts = await gather(deps, scope, kafkas, ledger.spend, topics, loaded);
    const result = reconcile(facts);
    if (result.mismatches === 0 || Date.now() >= deadline) {
      // The delivery streams too, for `npm run report -- delivery` (once, after the money settled).
      if (tables) {
        const n = await loadDelivery(load, tables, scope.namespace, scope.regions, scope.window);
        deps.say(
          `loaded ${String(n)} bid, win, loss, impression and click rows (${tables.version})`,
        );
      }
      return result;
    }
    deps.say(
      `${String(result.mismatches)} differences; checking again (settling, up to ${String(Math.ceil((deadline - Date.now()) / 1000))} s more)`,
    );
    await sleep(1000);
  }
}

/** The model version loads go to: the current one, else the initial one (migrated). */
async function modelOf(deps: ReconcileDeps): Promise<ModelTables> {
  const db = deps.config.CLICKFRAUD_DB;
  return migrate(deps.ch, db, (await currentVersion(deps.ch, db)) ?? INITIAL_VERSION);
}

async function gather(
  deps: ReconcileDeps,
  scope: ReconcileScope,
  kafkas: ReadonlyMap<Region, Kafka>,
  table: string,
  topics: readonly string[],
  loaded: number | null,
): Promise<Facts> {
  const ns = scope.namespace;
  const perRegion = await Promise.all(
    scope.regions.map(async (r) => {
      const kafka = kafkas.get(r) as Kafka;
      const spend = await readRegionSpend(
        kafka,
        `${ns}${TOPICS.spend.name}`,
        scope.window,
        deps.logger,
      );
      const acks = await readRegionAcks(
        kafka,
        `${ns}${TOPICS.billingAcks.name}`,
        scope.window,
        deps.logger,
      );
      return { r, spend, acks };
    }),
  );
  const clickhouse = await readClickHouse(deps.ch, table, topics, scope.window, loaded);
  return {
    window: scope.window,
    namespace: ns,
    regions: scope.regions,
    spend: new Map(perRegion.map((p) => [p.r, p.spend])),
    acks: new Map(perRegion.map((p) => [p.r, p.acks])),
    clickhouse,
    ledger: scope.ledger
      ? await gatherLedger(deps, scope)
      : { skipped: 'left out (--no-ledger): the inventory ledger was not compared' },
  };
}

async function gatherLedger(deps: ReconcileDeps, scope: ReconcileScope): Promise<LedgerSide> {
  const token = deps.config.INVENTORY_TOKEN ?? '';
  const urls = new Map(scope.regions.map((r) => [r, scope.inventory.get(r) ?? ''] as const));
  let campaigns: LedgerCampaign[];
  let selection: string;
  const byRegion = new Map<Region, RegionLedger>();
  if (scope.campaigns) {
    campaigns = scope.campaigns.list;
    selection = scope.campaigns.selection;
  } else {
    const found = await campaignsInWindow(urls, token, scope.window);
    campaigns = found.campaigns;
    selection =
      'campaigns whose whole flight lies inside the window (a ledger is cumulative over a flight), listed by every region';
    for (const [r, reason] of found.failed)
      byRegion.set(r, { ok: false, url: urls.get(r) ?? '', reason });
  }
  for (const r of scope.regions)
    if (!byRegion.has(r))
      byRegion.set(r, await readRegionLedger(urls.get(r) ?? '', token, campaigns));
  return { campaigns, selection, byRegion };
}
