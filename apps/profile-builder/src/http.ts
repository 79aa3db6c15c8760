import uWS from 'uWebSockets.js';
import { writeJson, writeText, type Registry } from '@streambid/adapters';

/** A running health/metrics server; `close` releases the listen socket. */
export interface OpsServer {
  port: number;
  close(): void;
}

/** `/healthz` (JSON status) and `/metrics` (Prometheus text) on uWebSockets.js. */
export function startOpsServer(opts: {
  port: number;
  registry: Registry;
  health: () => { ok: boolean } & Record<string, unknown>;
}): Promise<OpsServer> {
  const app = uWS
    .App()
    .get('/healthz', (res) => {
      const h = opts.health();
      writeJson(res, h.ok ? 200 : 503, h);
    })
    .get('/metrics', (res) => {
      let aborted = false;
      res.onAborted(() => {
        aborted = true;
      });
      opts.registry.metrics().then(
        (text) => {
          if (!aborted) res.cork(() => writeText(res, 200, text, opts.registry.contentType));
        },
        (err: unknown) => {
          if (!aborted) res.cork(() => writeText(res, 500, String(err)));
        },
      );
    })
    .any('/*', (res) => writeText(res, 404, 'not found'));
  return new Promise((resolve, reject) => {
    app.listen('0.0.0.0', opts.port, (socket) => {
      if (socket === false) {
        reject(new Error(`cannot listen on port ${String(opts.port)}`));
        return;
      }
      resolve({
        port: uWS.us_socket_local_port(socket as unknown as uWS.us_socket),
        close: () => uWS.us_listen_socket_close(socket),
      });
    });
  });
}
