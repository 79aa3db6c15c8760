import { describe, expect, it } from 'vitest';
import { ConfigError } from '@streambid/adapters';
import { DEFAULT_PORTS } from '@streambid/contracts';
import { parsePorts, parseReplicationDelay } from './ports.js';

describe('parsePorts', () => {
  it('uses the local default ports when no variable is set', () => {
    expect(parsePorts({})).toEqual({
      kafka: DEFAULT_PORTS.kafka,
      redis: DEFAULT_PORTS.redis,
      clickhouseHttp: DEFAULT_PORTS.clickhouseHttp,
      clickhouseTcp: 9000,
    });
  });

  it('reads overrides and treats an empty variable as unset', () => {
    const ports = parsePorts({
      KAFKA_PORT_US: '19192',
      REDIS_PORT_EU: '',
      CLICKHOUSE_TCP_PORT: '19000',
    });
    expect(ports.kafka.us).toBe(19192);
    expect(ports.redis.eu).toBe(DEFAULT_PORTS.redis.eu);
    expect(ports.clickhouseTcp).toBe(19000);
  });

  it('names the variable and quotes the value of a port out of range or not a number', () => {
    for (const [variable, value] of [
      ['KAFKA_PORT_AP', '80'],
      ['REDIS_PORT_US', 'six'],
      ['CLICKHOUSE_HTTP_PORT', '65535'],
      ['KAFKA_PORT_EU', '9092.5'],
    ] as const) {
      const fail = () => parsePorts({ [variable]: value });
      expect(fail).toThrow(ConfigError);
      expect(fail).toThrow(
        `${variable}: expected an integer port between 1024 and 65534, got "${value}"`,
      );
    }
  });
});

describe('parseReplicationDelay', () => {
  it('is undefined when unset or empty, else the number of milliseconds', () => {
    expect(parseReplicationDelay({})).toBeUndefined();
    expect(parseReplicationDelay({ REPLICATION_DELAY_MS: '' })).toBeUndefined();
    expect(parseReplicationDelay({ REPLICATION_DELAY_MS: '250' })).toBe(250);
  });

  it('names the variable of a negative or too large delay', () => {
    for (const value of ['-1', '60001', 'soon']) {
      expect(() => parseReplicationDelay({ REPLICATION_DELAY_MS: value })).toThrow(
        /^REPLICATION_DELAY_MS: expected an integer number of milliseconds between 0 and 60000/,
      );
    }
  });
});
