import { Session } from 'node:inspector/promises';
import type { Worker } from 'node:worker_threads';

/** The worker went away, or the expression threw inside it. */
export class InterruptError extends Error {
  readonly code = 'WORKER_INTERRUPT_FAILED';
}

/**
 * Evaluates `expression` inside `worker` through the in-process inspector (no port is opened) and
 * resolves with its value. The inspector delivers the call as a V8 interrupt, so it runs even while
 * the worker's JavaScript spins in an endless loop; it cannot run while the worker is inside a
 * long native call, and then waits until that returns.
 */
export async function evaluateInWorker(worker: Worker, expression: string): Promise<unknown> {
  const session = new Session();
  session.connect();
  let onExit: () => void = () => undefined;
  const exited = new Promise<never>((_, reject) => {
    onExit = () => reject(new InterruptError(`worker ${String(worker.threadId)} exited`));
    worker.once('exit', onExit);
  });
  try {
    return await Promise.race([exited, attachAndEvaluate(session, worker.threadId, expression)]);
  } finally {
    worker.off('exit', onExit);
    session.disconnect();
  }
}

async function attachAndEvaluate(
  session: Session,
  threadId: number,
  expression: string,
): Promise<unknown> {
  const sessionId = await new Promise<string>((resolve, reject) => {
    session.on('NodeWorker.attachedToWorker', ({ params }) => {
      if (titleThreadId(params.workerInfo.title) === threadId) resolve(params.sessionId);
    });
    // Reports the workers already running as well as new ones.
    session.post('NodeWorker.enable', { waitForDebuggerOnStart: false }).catch(reject);
  });
  const answer = new Promise<unknown>((resolve, reject) => {
    session.on('NodeWorker.receivedMessageFromWorker', ({ params }) => {
      if (params.sessionId !== sessionId) return;
      const m = JSON.parse(params.message) as EvaluateAnswer;
      if (m.id !== 1) return;
      if (m.result?.exceptionDetails || !m.result)
        reject(new InterruptError(m.result?.exceptionDetails?.text ?? 'evaluation failed'));
      else resolve(m.result.result.value);
    });
  });
  const call = { id: 1, method: 'Runtime.evaluate', params: { expression, returnByValue: true } };
  await session.post('NodeWorker.sendMessageToWorker', {
    sessionId,
    message: JSON.stringify(call),
  });
  return answer;
}

/**
 * The thread id in an inspector worker title, `[worker <threadId>]` plus the worker's name if it
 * has one (the `workerId` there is the session's own numbering, not the thread id).
 */
export function titleThreadId(title: string): number | undefined {
  const m = /^\[worker (\d+)\]/.exec(title);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** The part of a `Runtime.evaluate` answer this reads. */
interface EvaluateAnswer {
  id?: number;
  result?: { result: { value?: unknown }; exceptionDetails?: { text: string } };
}
