import { describe, expect, it } from 'vitest';
import type { ConfigError } from '@streambid/adapters';
import { loadDashboardConfig } from './config.js';

const fails = (e: Record<string, string>): ConfigError => {
  try {
    loadDashboardConfig(e);
  } catch (err) {
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('the dashboard configuration', () => {
  it('defaults to the local eu and us brokers, bidders and inventories', () => {
    const c = loadDashboardConfig({});
    expect(c.DASHBOARD_PORT).toBe(8060);
    expect(c.DASHBOARD_TOKEN).toBeUndefined();
    expect([...c.brokers]).toEqual([
      ['eu', '127.0.0.1:9092'],
      ['us', '127.0.0.1:9192'],
    ]);
    expect(c.targets.map((t) => `${t.region}:${t.service}=${t.url}`)).toEqual([
      'eu:bidder=http://127.0.0.1:8080',
      'eu:inventory=http://127.0.0.1:8090',
      'us:bidder=http://127.0.0.1:8180',
      'us:inventory=http://127.0.0.1:8190',
    ]);
  });

  it('reads brokers and targets per region, keeping only the regions shown', () => {
    const c = loadDashboardConfig({
      DASHBOARD_REGIONS: 'us',
      DASHBOARD_KAFKA: 'us=10.0.0.2:9192',
      DASHBOARD_TARGETS: 'us:bidder=http://10.0.0.2:8180/,eu:bidder=http://10.0.0.1:8080',
    });
    expect([...c.brokers]).toEqual([['us', '10.0.0.2:9192']]);
    expect(c.targets).toEqual([{ region: 'us', service: 'bidder', url: 'http://10.0.0.2:8180' }]);
  });

  it('names the variable that is wrong', () => {
    expect(fails({ DASHBOARD_TOKEN: 'short' }).variable).toBe('DASHBOARD_TOKEN');
    expect(fails({ DASHBOARD_REGIONS: 'eu,mars' }).variable).toBe('DASHBOARD_REGIONS');
    expect(fails({ DASHBOARD_KAFKA: 'eu:9092' }).variable).toBe('DASHBOARD_KAFKA');
    expect(fails({ DASHBOARD_TARGETS: 'eu:bidder=ftp://x' }).message).toMatch(
      /^DASHBOARD_TARGETS: expected region:service=http/,
    );
    expect(fails({ DASHBOARD_PORT: '70000' }).variable).toBe('DASHBOARD_PORT');
  });
});
