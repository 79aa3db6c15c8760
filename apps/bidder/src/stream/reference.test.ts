import { describe, expect, it } from 'vitest';
import { silentLogger, type ConsumedRecord } from '@streambid/adapters';
import type { BotRules, DatacentreRanges, SellersList } from '@streambid/contracts';
import type { DataCentreIndex } from '@streambid/reference-data';
import { SellersDirectory } from '../domain/sellers.js';
import { ReferenceDataError, ReferenceView } from './reference.js';

const rec = <T>(value: T | null, key: string): ConsumedRecord<T> => ({
  topic: 'reference',
  sourceRegion: null,
  partition: 0,
  offset: '0',
  key,
  value,
  timestamp: 0,
});
const head = (version: number, effectiveFrom: number) => ({
  eventId: `e${String(version)}`,
  ts: 0,
  version,
  effectiveFrom,
});
const dc = (version: number, effectiveFrom: number, cidr: string): DatacentreRanges => ({
  ...head(version, effectiveFrom),
  ranges: [{ cidr, provider: `p${String(version)}` }],
});

/** A target recording what was swapped in. */
function target() {
  const t = {
    index: undefined as DataCentreIndex | undefined,
    rules: undefined as RegExp | undefined,
    useDatacentre: (i: DataCentreIndex) => (t.index = i),
    useBotRules: (r: RegExp) => (t.rules = r),
  };
  return t;
}

describe('ReferenceView', () => {
  it('swaps in the version in force and goes back to the built-in list when it is retired', () => {
    const view = new ReferenceView(undefined, silentLogger());
    const t = target();
    view.bind(t);
    view.applyDatacentre([rec(dc(1, 100, '203.0.113.0/24'), 'v1')], 200);
    expect(view.inForce.datacentre).toBe(1);
    expect(t.index?.lookup('203.0.113.5')).toBe('p1');
    expect(t.index?.lookup('3.80.1.2')).toBeNull();
    view.applyDatacentre([rec<DatacentreRanges>(null, 'v1')], 300);
    expect(view.inForce.datacentre).toBe(0);
    expect(t.index?.lookup('3.80.1.2')).toBe('aws');
  });

  it('refuses a version with a malformed range and keeps the one in force', () => {
    const view = new ReferenceView(undefined, silentLogger());
    const t = target();
    view.bind(t);
    view.applyDatacentre([rec(dc(1, 100, '203.0.113.0/24'), 'v1')], 200);
    const before = t.index;
    expect(() => view.applyDatacentre([rec(dc(2, 100, '300.1.1.0/24'), 'v2')], 200)).toThrow(
      ReferenceDataError,
    );
    expect(view.inForce.datacentre).toBe(1);
    expect(t.index).toBe(before);
  });

  it('puts a scheduled version in force only once its time has come', () => {
    const view = new ReferenceView(undefined, silentLogger());
    const t = target();
    view.bind(t);
    const rules: BotRules = { ...head(1, 1000), patterns: ['zqalpha'] };
    view.applyBots([rec(rules, 'v1')], 500);
    expect(view.inForce.bots).toBe(0);
    view.refresh(999);
    expect(view.inForce.bots).toBe(0);
    view.refresh(1000);
    expect(view.inForce.bots).toBe(1);
    expect(t.rules?.test('Mozilla/5.0 ZqAlpha')).toBe(true);
  });

  it('replaces a configured sellers list per ad system and falls back to it when retired', () => {
    const files = new SellersDirectory();
    files.load('ssp.example', { sellers: [{ seller_id: 'old', seller_type: 'PUBLISHER' }] });
    files.load('other.example', { sellers: [{ seller_id: 'x', seller_type: 'PUBLISHER' }] });
    const view = new ReferenceView(files, silentLogger());
    const list: SellersList = {
      ...head(1, 0),
      asi: 'SSP.example.',
      sellers: [{ seller_id: 'new', seller_type: 'INTERMEDIARY' }],
    };
    view.applySellers([rec(list, 'ssp.example.:v1')], 10);
    expect(view.sellers.seller('ssp.example', 'new')).toBe('INTERMEDIARY');
    expect(view.sellers.seller('ssp.example', 'old')).toBeNull();
    expect(view.sellers.seller('other.example', 'x')).toBe('PUBLISHER');
    view.applySellers([rec<SellersList>(null, 'ssp.example.:v1')], 20);
    expect(view.sellers.seller('ssp.example', 'old')).toBe('PUBLISHER');
    expect(view.inForce.sellers.size).toBe(0);
  });
});
