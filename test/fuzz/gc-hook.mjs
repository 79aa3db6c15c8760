// Preloaded (`--import`, with `--expose-gc`) into the services `fuzz:http` starts: SIGUSR2 makes
// every thread of the process run a full garbage collection (the main thread with `gc()`, worker
// threads through the in-process inspector, since preloads do not run in workers), so the fuzzer
// reads an RSS that says what is retained rather than where the heap's saw-tooth happens to be.
// Test tooling only; no port is opened.
import { Session } from 'node:inspector';
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { isMainThread } from 'node:worker_threads';

const gc = globalThis.gc;
if (isMainThread && typeof gc === 'function')
  process.on('SIGUSR2', () => {
    gc();
    const session = new Session();
    session.connect();
    let id = 0;
    session.on('NodeWorker.attachedToWorker', ({ params }) => {
      const message = JSON.stringify({ id: ++id, method: 'HeapProfiler.collectGarbage' });
      session.post('NodeWorker.sendMessageToWorker', { sessionId: params.sessionId, message });
    });
    // Reports the workers already running.
    session.post('NodeWorker.enable', { waitForDebuggerOnStart: false });
    setTimeout(() => session.disconnect(), 1000).unref();
  });
