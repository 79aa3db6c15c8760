import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import { createKafka } from './client.js';
import { RequestQueue } from './idle-timer-fix.js';

function queue() {
  // createKafka applies the fix to kafkajs' RequestQueue.
  createKafka({ clientId: 'fix-test', brokers: ['127.0.0.1:1'], logger: silentLogger() });
  const noop = () => undefined;
  const logger = { debug: noop, info: noop, warn: noop, error: noop };
  return new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 1000,
    enforceRequestTimeout: false,
    clientId: 'c',
    broker: 'b',
    logger,
  });
}

describe('kafkajs idle timer fix', () => {
  let q: ReturnType<typeof queue> | undefined;
  afterEach(() => {
    if (q?.throttleCheckTimeoutId) clearTimeout(q.throttleCheckTimeoutId);
  });

  it('arms no timer on an idle, unthrottled connection', () => {
    q = queue();
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still re-checks a queue that holds a waiting request', async () => {
    q = queue();
    let checked = 0;
    q.checkPendingRequests = () => void checked++;
    q.pending.push({});
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    await new Promise((r) => setTimeout(r, 50));
    expect(checked).toBe(1);
  });

  it('re-checks when a broker-requested throttle ends, even with nothing waiting', () => {
    q = queue();
    q.throttledUntil = Date.now() + 5000;
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
  });
});
