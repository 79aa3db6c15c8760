/** A worker thread running one shard of `fuzz:bidder` (see `fuzzBidder`'s `workers`). */
import { parentPort, workerData } from 'node:worker_threads';
import { runShard, settledRss, type FromShard, type ShardOptions } from './bid-fuzz.js';

const port = parentPort;
if (!port) throw new Error('shard-worker runs in a worker thread');
const send = (m: FromShard): void => port.postMessage(m);
const go = new Promise<void>((resolve) => port.once('message', () => resolve()));
const result = await runShard({
  ...(workerData as ShardOptions),
  log: (line) => send({ type: 'log', line }),
  warm: async () => {
    settledRss();
    send({ type: 'warm' });
    await go;
  },
});
settledRss();
send({ type: 'done', result });
