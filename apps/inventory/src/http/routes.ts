import { randomUUID } from 'node:crypto';
import type { Registry } from '@streambid/adapters';
import { CampaignStatus, type Campaign, type Region } from '@streambid/contracts';
import {
  createCampaignBody,
  patchCampaignBody,
  replaceCampaignBody,
  statusChangeBody,
} from '../domain/bodies.js';
import { NotVisibleError, type CampaignView } from '../domain/campaign-view.js';
import {
  changeStatus,
  createCampaign,
  StatusAction,
  updateCampaign,
  type CommandResult,
  type WriteContext,
} from '../domain/commands.js';
import type { SpendLedger } from '../domain/ledger.js';
import { flightTarget } from '../domain/pacing.js';
import type { CampaignStore } from '../stream/campaign-store.js';
import type { BudgetController } from '../stream/budget-controller.js';
import { parseBody, type Reply, type Request, type Router } from './router.js';

export interface RouteDeps {
  region: Region;
  view: CampaignView;
  ledger: SpendLedger;
  store: CampaignStore;
  budget: BudgetController;
  registry: Registry;
  /** The views have caught up with the topics: reads and writes are answered. */
  ready: () => boolean;
  /** @default Date.now */
  clock?: () => number;
}

const starting: Reply = {
  status: 503,
  json: { error: 'starting', message: 'rebuilding the view from the log' },
};
const notFound = (id: string): Reply => ({
  status: 404,
  json: { error: 'not_found', message: `no campaign ${id}` },
});

function reply(result: CommandResult, okStatus = 200): Reply {
  if (result.ok) return { status: okStatus, json: result.campaign };
  const { status, ...rest } = result.refusal;
  return { status, json: rest };
}

/** Spend, delivery against the even-delivery curve, and allowances of one campaign. */
function statusOf(c: Campaign, deps: RouteDeps, now: number): unknown {
  const spend = deps.ledger.totals(c.id);
  const total = c.budget.totalMicros;
  const expected = flightTarget({ totalMicros: total, flight: c.flight }, now);
  const allowances =
    c.homeRegion === deps.region
      ? (deps.budget.allowances(c.id) ?? deps.budget.compute(c, now))
      : null;
  return {
    id: c.id,
    status: c.status,
    version: c.version,
    homeRegion: c.homeRegion,
    budget: c.budget,
    flight: c.flight,
    spend: { ...spend, todayMicros: deps.ledger.spentToday(c.id, now) },
    delivery: {
      remainingMicros: Math.max(0, total - spend.totalMicros),
      deliveredPct: total > 0 ? (spend.totalMicros / total) * 100 : 0,
      expectedPct: total > 0 ? (expected / total) * 100 : 0,
      /** Spend over the even-delivery target so far: 1 is on pace. */
      pacingRatio: expected > 0 ? spend.totalMicros / expected : null,
      exhausted: total - spend.totalMicros < Math.max(1, Math.ceil(c.bidCpmMicros / 1000)),
    },
    // Allowances are computed by the home region; other regions see them through the budget topic.
    allowances,
  };
}

/** The campaign API. */
export function campaignRoutes(router: Router, deps: RouteDeps): void {
  const clock = deps.clock ?? Date.now;
  const ctx = (): WriteContext => ({ region: deps.region, now: clock(), eventId: randomUUID() });
  const guarded =
    (h: (req: Request) => Promise<Reply> | Reply) =>
    (req: Request): Promise<Reply> | Reply =>
      deps.ready() ? h(req) : starting;
  const idOf = (req: Request): string => req.params[0] ?? '';
  /** A write the broker took but the view did not show in time is 503, not a bug (500). */
  const write = async (
    id: string,
    decide: Parameters<CampaignStore['write']>[1],
    okStatus = 200,
  ): Promise<Reply> => {
    try {
      return reply(await deps.store.write(id, decide), okStatus);
    } catch (err) {
      if (!(err instanceof NotVisibleError)) throw err;
      return {
        status: 503,
        json: {
          error: 'not_visible',
          message: `${err.message}; the log has the write: read the campaign before retrying`,
        },
      };
    }
  };

  router
    .get('/healthz', { name: 'healthz', auth: false, query: 'ignored' }, () => ({
      status: deps.ready() ? 200 : 503,
      json: {
        status: deps.ready() ? 'ok' : 'starting',
        region: deps.region,
        campaigns: deps.view.size,
      },
    }))
    .get('/metrics', { name: 'metrics', auth: false, query: 'ignored' }, async () => ({
      status: 200,
      text: await deps.registry.metrics(),
      contentType: deps.registry.contentType,
    }))
    .post(
      '/campaigns',
      { name: 'create' },
      guarded((req) => {
        const body = parseBody(createCampaignBody, req.body);
        if (!body.ok) return body.reply;
        const id = body.value.id ?? `c-${randomUUID()}`;
        return write(id, (cur) => createCampaign(body.value, id, cur, ctx()), 201);
      }),
    )
    .get(
      '/campaigns',
      { name: 'list', query: ['status', 'advertiser'] },
      guarded((req) => {
        const status = req.query.get('status');
        const advertiser = req.query.get('advertiser');
        if (status !== undefined && !Object.hasOwn(CampaignStatus, status))
          return {
            status: 400,
            json: {
              error: 'invalid_query',
              field: 'status',
              message: `status: use ${Object.keys(CampaignStatus).join(', ')}`,
            },
          };
        const campaigns = deps.view
          .list()
          .filter(
            (c) =>
              (status === undefined || c.status === status) &&
              (advertiser === undefined || c.advertiser === advertiser),
          )
          .sort((a, b) => a.id.localeCompare(b.id));
        return { status: 200, json: { campaigns, count: campaigns.length } };
      }),
    )
    .get(
      '/campaigns/:id',
      { name: 'get' },
      guarded((req) => {
        const c = deps.view.get(idOf(req));
        return c ? { status: 200, json: c } : notFound(idOf(req));
      }),
    )
    .get(
      '/campaigns/:id/status',
      { name: 'status' },
      guarded((req) => {
        const c = deps.view.get(idOf(req));
        return c ? { status: 200, json: statusOf(c, deps, clock()) } : notFound(idOf(req));
      }),
    );

  for (const mode of ['replace', 'patch'] as const) {
    const schema = mode === 'replace' ? replaceCampaignBody : patchCampaignBody;
    const h = guarded((req) => {
      const body = parseBody(schema, req.body);
      if (!body.ok) return body.reply;
      const id = idOf(req);
      return write(id, (cur) => updateCampaign(cur, id, body.value, mode, ctx()));
    });
    if (mode === 'replace') router.put('/campaigns/:id', { name: 'replace' }, h);
    else router.patch('/campaigns/:id', { name: 'patch' }, h);
  }

  router.post(
    '/campaigns/:id/:action',
    { name: 'status_change' },
    guarded((req) => {
      const action = req.params[1] ?? '';
      if (!Object.hasOwn(StatusAction, action))
        return {
          status: 404,
          json: {
            error: 'not_found',
            message: `no action ${action}; use pause, resume or archive`,
          },
        };
      const body = parseBody(statusChangeBody, req.body);
      if (!body.ok) return body.reply;
      const id = idOf(req);
      return write(id, (cur) =>
        changeStatus(cur, id, action as StatusAction, body.value.version, ctx()),
      );
    }),
  );
}
