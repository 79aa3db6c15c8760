/**
 * The dashboard's uWS server: the page and its static assets (uPlot from node_modules, the
 * hand-written script and stylesheet), the WebSocket feed of snapshots, and the ops endpoints.
 * Everything but `/healthz` and `/metrics` needs the token (`auth.ts`): 401 otherwise.
 */
import uWS, { type HttpRequest, type HttpResponse, type WebSocket } from 'uWebSockets.js';
import {
  createHandlerGuard,
  Gauge,
  listen,
  opsRoutes,
  statusLine,
  writeText,
  type HealthFn,
  type Logger,
  type Registry,
} from '@streambid/adapters';
import { access, tokenCookie } from './auth.js';
import type { Assets } from './assets.js';
import type { DashboardSnapshot } from './snapshot.js';

/** The topic every socket subscribes to. */
const FEED = 'snapshots';

export interface DashboardServer {
  port: number;
  /** Sends a snapshot to every connected page. */
  publish(s: DashboardSnapshot): void;
  /** Closes the listen socket and every open socket. */
  close(): void;
}

export interface ServerOptions {
  host: string;
  port: number;
  token: string;
  assets: Assets;
  /** What a page that just connected draws first. */
  history: () => readonly DashboardSnapshot[];
  registry: Registry;
  health: HealthFn;
  logger: Logger;
}

/** Headers that keep the page out of caches and frames. */
function secure(res: HttpResponse): HttpResponse {
  return res
    .writeHeader('cache-control', 'no-store')
    .writeHeader('x-frame-options', 'DENY')
    .writeHeader('x-content-type-options', 'nosniff')
    .writeHeader('referrer-policy', 'no-referrer');
}

/** The request's credentials, copied (uWS's request object dies when the handler returns). */
const credentials = (req: HttpRequest): { query: string; cookie: string } => ({
  query: req.getQuery() ?? '',
  cookie: req.getHeader('cookie'),
});

function unauthorized(res: HttpResponse): void {
  secure(res.writeStatus(statusLine(401)))
    .writeHeader('content-type', 'text/plain')
    .end('unauthorized: open the dashboard with ?token=<DASHBOARD_TOKEN>\n');
}

/** Whether a browser's `origin` is this server (a page elsewhere must not open our socket). */
function sameOrigin(origin: string, host: string): boolean {
  if (origin === '') return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export async function startDashboardServer(o: ServerOptions): Promise<DashboardServer> {
  const guard = createHandlerGuard({ registry: o.registry, logger: o.logger });
  const clients = new Gauge({
    name: 'dashboard_clients',
    help: 'Pages connected to the feed',
    registers: [o.registry],
  });
  const sockets = new Set<WebSocket<object>>();
  const app = opsRoutes(uWS.App(), { registry: o.registry, health: o.health, guard });

  app.get(
    '/',
    guard.route('page', (res, req) => {
      const how = access(credentials(req), o.token);
      if (how === 'denied') return unauthorized(res);
      if (how === 'query') {
        // Set the cookie and drop the token from the address bar.
        secure(res.writeStatus(statusLine(302)))
          .writeHeader('set-cookie', tokenCookie(o.token))
          .writeHeader('location', '/')
          .end();
        return;
      }
      secure(res.writeStatus(statusLine(200)))
        .writeHeader('content-type', 'text/html; charset=utf-8')
        .end(o.assets.page);
    }),
  );

  app.get(
    '/assets/:name',
    guard.route('asset', (res, req) => {
      const asset = o.assets.files.get(req.getParameter(0) ?? '');
      if (access(credentials(req), o.token) === 'denied') return unauthorized(res);
      if (!asset) return writeText(res, 404, 'not found');
      secure(res.writeStatus(statusLine(200)))
        .writeHeader('content-type', asset.contentType)
        .end(asset.body);
    }),
  );

  app.ws<object>('/feed', {
    compression: uWS.DISABLED,
    maxPayloadLength: 1024,
    // The history a page gets on connect is a few hundred KB; later snapshots a few KB each.
    maxBackpressure: 4 * 1024 * 1024,
    idleTimeout: 60,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      const creds = credentials(req);
      const origin = req.getHeader('origin');
      const host = req.getHeader('host');
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      if (access(creds, o.token) === 'denied' || !sameOrigin(origin, host)) {
        unauthorized(res);
        return;
      }
      res.upgrade({}, key, protocol, extensions, context);
    },
    open: (ws) => {
      sockets.add(ws);
      clients.set(sockets.size);
      ws.subscribe(FEED);
      ws.send(JSON.stringify({ type: 'history', snapshots: o.history() }));
    },
    close: (ws) => {
      sockets.delete(ws);
      clients.set(sockets.size);
    },
  });

  app.any(
    '/*',
    guard.route('not_found', (res) => writeText(res, 404, 'not found')),
  );

  const listening = await listen(app, o.host, o.port, 'DASHBOARD_PORT');
  return {
    port: listening.port,
    publish: (s) => {
      app.publish(FEED, JSON.stringify({ type: 'snapshot', snapshot: s }));
    },
    close: () => {
      listening.close();
      for (const ws of sockets) ws.end(1001, 'dashboard stopping');
    },
  };
}
