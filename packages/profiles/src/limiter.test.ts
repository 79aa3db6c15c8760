import { describe, expect, it } from 'vitest';
import { FifoLimiter } from './limiter.js';

describe('FifoLimiter', () => {
  it('lets in at most max holders and the waiters in the order they asked', async () => {
    const limiter = new FifoLimiter(2);
    const entered: string[] = [];
    const enter = (name: string) => limiter.acquire().then(() => void entered.push(name));
    const all = Promise.all(['a', 'b', 'c', 'd'].map(enter));
    await Promise.resolve();
    expect(entered).toEqual(['a', 'b']);
    limiter.release();
    await new Promise((r) => setImmediate(r));
    expect(entered).toEqual(['a', 'b', 'c']);
    // A newcomer queues behind the waiter already there.
    const late = enter('e');
    limiter.release();
    await new Promise((r) => setImmediate(r));
    expect(entered).toEqual(['a', 'b', 'c', 'd']);
    limiter.release();
    await Promise.all([all, late]);
    expect(entered).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('rejects a limit below one', () => {
    expect(() => new FifoLimiter(0)).toThrow(RangeError);
  });
});
