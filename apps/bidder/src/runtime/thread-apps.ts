import uWS, { type AppOptions, type TemplatedApp, type us_listen_socket } from 'uWebSockets.js';
import { EMERGENCY_CLOSE_KEY } from './protocol.js';

/**
 * Every uWS app of this thread, so that a thread can close all its sockets before it ends.
 *
 * Why: a worker thread that ends with any uWS socket open — its listen socket, but also each
 * keep-alive connection — aborts the whole process ("uv_loop_close() while having open handles"),
 * whether it exits, dies of an uncaught exception or is terminated. Closing only the listen socket
 * is not enough. `app.close()` (present in the v20.30 binding, though not in its typings) closes
 * the listen sockets and every connection; clients with a request in flight see a reset at once.
 */
const apps = new Set<TemplatedApp>();

interface Closable {
  close?: () => void;
}

type AppFactory = (...options: [AppOptions?]) => TemplatedApp;
type CloseListen = (socket: us_listen_socket) => void;

/** Set by the first {@link closeThreadApps}: from then on listen sockets close with their app. */
let appsClosed = false;

/**
 * Records each uWS app created on this thread from now on and hands it to `onCreate`. It wraps the
 * binding's `App` factory (the module object is per thread), so it catches every app whoever
 * creates it, without the server code having to register its app.
 *
 * It also makes `us_listen_socket_close` a no-op once the apps were closed: `app.close()` already
 * closed (and freed) that socket, and a second close, say from the server's own shutdown running
 * after a crash closed everything, would touch freed memory.
 */
export function trackThreadApps(onCreate: (app: TemplatedApp) => void = () => undefined): void {
  const binding = uWS as unknown as { App: AppFactory; us_listen_socket_close: CloseListen };
  const createApp = binding.App;
  // Arguments passed through as given: the binding refuses an explicit `undefined` options object.
  binding.App = (...options) => {
    const app = createApp(...options);
    apps.add(app);
    onCreate(app);
    return app;
  };
  const closeListen = binding.us_listen_socket_close;
  binding.us_listen_socket_close = (socket) => {
    if (!appsClosed) closeListen(socket);
  };
}

/**
 * Closes every app of this thread (listen sockets and connections); returns how many. Call it
 * again before the thread ends if an app may have been created since. Idempotent.
 */
export function closeThreadApps(): number {
  appsClosed = true;
  let closed = 0;
  for (const app of apps) {
    const close = (app as unknown as Closable).close;
    if (typeof close !== 'function') continue;
    close.call(app);
    apps.delete(app);
    closed++;
  }
  return closed;
}

/**
 * Lets the main thread close this thread's sockets while its JavaScript is stuck in a loop: the
 * main thread evaluates `EMERGENCY_CLOSE_EXPRESSION` here through the inspector, which runs it as
 * a V8 interrupt in the middle of the loop; it can then terminate the thread without the abort.
 */
export function exposeEmergencyClose(): void {
  (globalThis as Record<symbol, unknown>)[Symbol.for(EMERGENCY_CLOSE_KEY)] = closeThreadApps;
}
