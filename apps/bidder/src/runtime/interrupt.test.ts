import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluateInWorker, InterruptError, titleThreadId } from './interrupt.js';

/** A worker that says its thread id when asked, and spins forever once told to. */
const CODE = `
  const { parentPort, threadId } = require('node:worker_threads');
  globalThis.whoAmI = () => threadId;
  parentPort.once('message', () => { for (;;) {} });
  parentPort.postMessage('up');
`;

function start(): Promise<Worker> {
  const w = new Worker(CODE, { eval: true });
  return new Promise((resolve) => w.once('message', () => resolve(w)));
}

describe('evaluateInWorker', () => {
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.terminate()));
  });

  it('runs an expression inside a worker stuck in an endless loop, among other workers', async () => {
    // Started first: the inspector numbers its sessions in another order than the thread ids.
    const spinning = await start();
    workers.push(spinning, await start(), await start());
    spinning.postMessage('spin');
    expect(await evaluateInWorker(spinning, 'globalThis.whoAmI()')).toBe(spinning.threadId);
  });

  it('rejects when the expression throws inside the worker', async () => {
    const w = await start();
    workers.push(w);
    await expect(evaluateInWorker(w, 'missingFunction()')).rejects.toBeInstanceOf(InterruptError);
  });
});

describe('titleThreadId', () => {
  it('reads the thread id from an inspector worker title, with or without a name', () => {
    expect(titleThreadId('[worker 5]')).toBe(5);
    expect(titleThreadId('[worker 12] slot-3')).toBe(12);
    expect(titleThreadId('main')).toBeUndefined();
  });
});
