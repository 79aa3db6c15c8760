import { describe, expect, it } from 'vitest';
import { waitFor } from '@streambid/adapters';
import { readHeartbeat, restartDelayMs, StallDetector, startHeartbeat } from './watchdog.js';

describe('StallDetector', () => {
  it('reports a stall once the heartbeat has not moved for the limit', () => {
    const d = new StallDetector(1000, 0);
    expect(d.stalled(1, 250)).toBe(false);
    expect(d.stalled(1, 500)).toBe(false);
    expect(d.stalled(1, 1000)).toBe(false);
    expect(d.stalled(1, 1250)).toBe(true);
  });

  it('does not watch a worker before its first beat', () => {
    const d = new StallDetector(1000, 0);
    for (let t = 250; t <= 10_000; t += 250) expect(d.stalled(0, t)).toBe(false);
  });

  it('restarts the clock whenever the heartbeat moves', () => {
    const d = new StallDetector(1000, 0);
    let beat = 1;
    for (let t = 250; t <= 10_000; t += 250) expect(d.stalled(beat++, t)).toBe(false);
  });

  it('does not blame the worker when the check itself ran late', () => {
    const d = new StallDetector(1000, 0);
    expect(d.stalled(1, 250)).toBe(false);
    // The main thread was paused for 3 s: the worker's timer may not have run yet either.
    expect(d.stalled(1, 3250)).toBe(false);
    for (const t of [3500, 3750, 4000]) expect(d.stalled(1, t)).toBe(false);
    expect(d.stalled(1, 4250)).toBe(true);
  });

  it('never reports a stall with the limit 0 (watchdog off)', () => {
    const d = new StallDetector(0, 0);
    for (let t = 0; t <= 1000; t += 1) expect(d.stalled(1, t)).toBe(false);
  });
});

describe('heartbeat', () => {
  it('moves while the thread turns its event loop', async () => {
    const sab = new SharedArrayBuffer(4);
    const stop = startHeartbeat(sab, 10);
    try {
      await waitFor(() => readHeartbeat(sab) >= 3, { timeoutMs: 5000, what: 'three beats' });
    } finally {
      stop();
    }
  });
});

describe('restartDelayMs', () => {
  it('replaces at once the first time, then backs off to the cap', () => {
    expect([1, 2, 3, 4, 5].map((n) => restartDelayMs(n))).toEqual([0, 250, 500, 1000, 2000]);
    expect(restartDelayMs(50)).toBe(30_000);
    expect(restartDelayMs(10, 5000)).toBe(5000);
  });
});
