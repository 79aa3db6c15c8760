import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import type { Counter, Registry } from 'prom-client';
import type { Logger } from 'pino';
import { writeJson } from './http.js';
import { sharedCounter } from './metrics.js';

/** A uWS route handler; an async one's rejection is treated like a throw. */
export type UwsHandler = (res: HttpResponse, req: HttpRequest) => void | Promise<void>;

/**
 * Keeps one request's bug from costing the thread. An exception thrown by a route handler (or by a
 * continuation of it after an await, through {@link HandlerGuard.later}), or the rejection of an
 * async handler, is logged, counted in `http_handler_errors_total{route}` and answered with a JSON
 * 500 on the same keep-alive connection; the thread keeps serving. Without this, uWS turns the
 * throw into an uncaught exception and then aborts the process when the handler returned without
 * responding.
 *
 * A handler that threw after it had already written its status line cannot be answered cleanly:
 * the 500 is then skipped if uWS refuses it, and the error is still counted.
 */
export interface HandlerGuard {
  /** Wraps a route handler. */
  route(name: string, handler: UwsHandler): (res: HttpResponse, req: HttpRequest) => void;
  /** Runs `fn` (a continuation of the request on `res`, e.g. in a `.then`) under the same rule. */
  later(res: HttpResponse, name: string, fn: () => void): void;
  /** Errors caught so far (all routes). */
  readonly caught: number;
}

/** What is answered; the reason never echoes the exception (it may hold client data). */
const INTERNAL = { error: 'internal error' } as const;

function answer500(res: HttpResponse): void {
  // Throws when the response already ended or was aborted: then there is nothing left to answer.
  try {
    res.cork(() => writeJson(res, 500, INTERNAL));
  } catch {
    /* response already finished */
  }
}

function errorCounter(registry: Registry): Counter<'route'> {
  // One counter per registry, however many guards a service builds (e.g. one per router module).
  return sharedCounter(registry, {
    name: 'http_handler_errors_total',
    help: 'Exceptions thrown while handling a request, answered 500, by route',
    labelNames: ['route'],
  });
}

/** Builds the guard of one service; the counter is registered on `registry` once. */
export function createHandlerGuard(opts: { registry: Registry; logger: Logger }): HandlerGuard {
  const errors = errorCounter(opts.registry);
  const log = opts.logger.child({ module: 'http-guard' });
  let caught = 0;
  const fail = (res: HttpResponse, name: string, err: unknown): void => {
    caught++;
    errors.inc({ route: name });
    log.error({ err, route: name }, 'request handler threw; answered 500');
    answer500(res);
  };
  return {
    route: (name, handler) => (res, req) => {
      try {
        const pending = handler(res, req);
        if (pending !== undefined) pending.catch((err: unknown) => fail(res, name, err));
      } catch (err) {
        fail(res, name, err);
      }
    },
    later: (res, name, fn) => {
      try {
        fn();
      } catch (err) {
        fail(res, name, err);
      }
    },
    get caught() {
      return caught;
    },
  };
}
