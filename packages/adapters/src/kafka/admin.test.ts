import { describe, expect, it } from 'vitest';
import { inNamespace, isNamespacedTopic } from './admin.js';

describe('isNamespacedTopic', () => {
  it('recognises test, bench and load-test namespaces and their remote copies', () => {
    for (const t of [
      't-0a1b2c3d4e-campaigns',
      'bench-1f2e3d4c-bids',
      'lt-7039176c-spend',
      'eu.t-0a1b2c3d4e-spend',
      'us.lt-7039176c-budget',
      'eval-deadbeef-clicks',
    ])
      expect(isNamespacedTopic(t), t).toBe(true);
  });

  it('leaves the real catalogue, its remote copies and internal topics alone', () => {
    for (const t of [
      'campaigns',
      'eu.spend',
      'fraud-blocklist',
      'dead-letter',
      'mm2-offset-syncs.us.internal',
      '__consumer_offsets',
      'heartbeats',
      'eu.checkpoints.internal',
    ])
      expect(isNamespacedTopic(t), t).toBe(false);
  });
});

describe('inNamespace', () => {
  it('matches a namespace and its remote copies, and nothing else', () => {
    const ns = 'bench-1f2e3d4c-';
    for (const t of [`${ns}bids`, `eu.${ns}bids`, `us.eu.${ns}clicks`])
      expect(inNamespace(t, ns), t).toBe(true);
    for (const t of ['bids', 'eu.bids', `xx.${ns}bids`, `bench-00000000-bids`, `eu.bench-1f2e3d4c`])
      expect(inNamespace(t, ns), t).toBe(false);
  });
});
