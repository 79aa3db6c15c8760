import uWS from 'uWebSockets.js';
import {
  createHandlerGuard,
  createLogger,
  listen,
  opsRoutes,
  writeText,
  type HealthFn,
  type Logger,
  type Registry,
} from '@streambid/adapters';

/** A running health/metrics server; `close` releases the listen socket. */
export interface OpsServer {
  port: number;
  close(): void;
}

/**
 * `/healthz` (JSON status) and `/metrics` (Prometheus text) on uWebSockets.js. Every route runs
 * under the HTTP guard: a throw (say, in `health`) is answered 500 and counted in
 * `http_handler_errors_total`, and the process keeps serving.
 */
export async function startOpsServer(opts: {
  port: number;
  registry: Registry;
  health: HealthFn;
  /** Where the guard logs caught errors. @default a `profile-builder` logger on stdout */
  logger?: Logger;
}): Promise<OpsServer> {
  const logger = opts.logger ?? createLogger({ service: 'profile-builder' });
  const guard = createHandlerGuard({ registry: opts.registry, logger });
  const app = opsRoutes(uWS.App(), { registry: opts.registry, health: opts.health, guard }).any(
    '/*',
    guard.route('not_found', (res) => writeText(res, 404, 'not found')),
  );
  const listening = await listen(app, '0.0.0.0', opts.port, 'PROFILE_BUILDER_PORT');
  return { port: listening.port, close: () => listening.close() };
}
