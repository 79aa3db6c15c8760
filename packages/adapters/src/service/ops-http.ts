import uWS, { type TemplatedApp } from 'uWebSockets.js';
import type { Registry } from 'prom-client';
import { StreambidError } from '../errors.js';
import type { HandlerGuard } from '../http-guard.js';
import { writeJson, writeText } from '../http.js';

/** The port could not be bound; `variable` names the setting that chose it. */
export class ListenError extends StreambidError {
  readonly variable: string;
  readonly host: string | undefined;
  readonly port: number;
  constructor(variable: string, host: string | undefined, port: number) {
    super(`${variable}: cannot listen on ${host ?? '*'}:${String(port)}`, {
      code: 'LISTEN_FAILED',
      retriable: true,
    });
    this.variable = variable;
    this.host = host;
    this.port = port;
  }
}

/** A bound listen socket. */
export interface Listening {
  /** The port bound (the one chosen when asked for 0). */
  readonly port: number;
  /** Stops accepting connections; idempotent. Open connections are the app's to end. */
  close(): void;
}

/**
 * Binds `app` to `host:port` (every interface when `host` is undefined). Rejects with a
 * {@link ListenError} naming `variable` (`INVENTORY_PORT`) when the port cannot be bound.
 */
export function listen(
  app: TemplatedApp,
  host: string | undefined,
  port: number,
  variable: string,
): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const bound = (socket: uWS.us_listen_socket | false): void => {
      if (socket === false) {
        reject(new ListenError(variable, host, port));
        return;
      }
      let open = true;
      resolve({
        port: uWS.us_socket_local_port(socket as unknown as uWS.us_socket),
        close: () => {
          // Looked up at call time: the bidder's worker threads wrap it (thread-apps.ts).
          if (open) uWS.us_listen_socket_close(socket);
          open = false;
        },
      });
    };
    if (host === undefined) app.listen(port, bound);
    else app.listen(host, port, bound);
  });
}

/** What `/healthz` answers: 200 when `ok`, else 503, with the object as the JSON body. */
export type HealthFn = () => { ok: boolean } & Record<string, unknown>;

/**
 * The ops endpoints every service serves: `GET /healthz` from `health` and `GET /metrics`
 * (Prometheus text) from `registry`, under `guard` (a throw is answered 500 and counted).
 */
export function opsRoutes(
  app: TemplatedApp,
  opts: { registry: Registry; health: HealthFn; guard: HandlerGuard },
): TemplatedApp {
  const { registry, health, guard } = opts;
  return app
    .get(
      '/healthz',
      guard.route('healthz', (res) => {
        const h = health();
        writeJson(res, h.ok ? 200 : 503, h);
      }),
    )
    .get(
      '/metrics',
      guard.route('metrics', (res) => {
        let aborted = false;
        res.onAborted(() => {
          aborted = true;
        });
        registry.metrics().then(
          (text) =>
            guard.later(res, 'metrics', () => {
              if (!aborted) res.cork(() => writeText(res, 200, text, registry.contentType));
            }),
          () =>
            guard.later(res, 'metrics', () => {
              if (!aborted) res.cork(() => writeText(res, 500, 'metrics failed'));
            }),
        );
      }),
    );
}
