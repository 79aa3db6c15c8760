import { performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';
import type { TemplatedApp } from 'uWebSockets.js';
import { writeJson, type HandlerGuard } from '@streambid/adapters';

/** Thrown by the fault routes, so that logs tell an injected fault from a real bug. */
export class InjectedFault extends Error {
  readonly code = 'INJECTED_FAULT';
}

/** Longest stall `/__fault/stall` accepts. */
const MAX_STALL_MS = 600_000;

const registered = new WeakSet<TemplatedApp>();

/**
 * Routes that break the serving thread on purpose, for the supervision tests
 * (`BIDDER_FAULT_ROUTES=true`, never in production). Each answers with the `threadId` it ran on.
 * - `POST /__fault/thread`: only says which thread answered.
 * - `POST /__fault/throw`: throws inside the handler (the guard answers 500).
 * - `POST /__fault/throw-later`: throws in a continuation after a timer (the guard answers 500).
 * - `POST /__fault/stall?ms=N`: busy-loops the thread for N ms, then answers 200.
 * - `POST /__fault/exit`: answers 202, then throws an uncaught exception outside any handler.
 * Registering twice on one app is a no-op.
 */
export function registerFaultRoutes(app: TemplatedApp, guard: HandlerGuard): void {
  if (registered.has(app)) return;
  registered.add(app);
  app.post(
    '/__fault/thread',
    guard.route('fault_thread', (res) => writeJson(res, 200, { threadId })),
  );
  app.post(
    '/__fault/throw',
    guard.route('fault_throw', () => {
      throw new InjectedFault('thrown inside a handler');
    }),
  );
  app.post(
    '/__fault/throw-later',
    guard.route('fault_throw_later', (res) => {
      res.onAborted(() => undefined);
      setTimeout(
        () =>
          guard.later(res, 'fault_throw_later', () => {
            throw new InjectedFault('thrown in a continuation');
          }),
        10,
      );
    }),
  );
  app.post(
    '/__fault/stall',
    guard.route('fault_stall', (res, req) => {
      const ms = Number(new URLSearchParams(req.getQuery() ?? '').get('ms') ?? '0');
      if (!Number.isFinite(ms) || ms < 0 || ms > MAX_STALL_MS) {
        writeJson(res, 400, { error: `ms must be 0..${String(MAX_STALL_MS)}` });
        return;
      }
      busyWait(ms);
      writeJson(res, 200, { threadId, stalledMs: ms });
    }),
  );
  app.post(
    '/__fault/exit',
    guard.route('fault_exit', (res) => {
      writeJson(res, 202, { threadId });
      // Outside any handler and any guard, as a bug in a timer callback would throw.
      setImmediate(() => {
        throw new InjectedFault('uncaught exception outside a handler');
      });
    }),
  );
}

/** Holds the thread without yielding: nothing else runs on it meanwhile. */
function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    /* spinning is the fault */
  }
}
