import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commonEnv, defaultBrokers, env, loadConfig } from './config.js';
import { ConfigError } from './errors.js';

const schema = z.object({ ...commonEnv, BIDDER_PORT: env.port(8080), WORKERS: env.int(2) });

describe('loadConfig', () => {
  it('applies defaults when variables are unset or empty', () => {
    const c = loadConfig(schema, { BIDDER_PORT: '' });
    expect(c.BIDDER_PORT).toBe(8080);
    expect(c.REGION).toBe('eu');
    expect(c.TOPIC_NAMESPACE).toBe('');
  });

  it('names the variable that is invalid', () => {
    expect(() => loadConfig(schema, { BIDDER_PORT: 'abc' })).toThrow(ConfigError);
    const err = ((): unknown => {
      try {
        loadConfig(schema, { REGION: 'mars' });
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe('REGION');
    expect((err as Error).message).toMatch(/^REGION: /);
  });

  it('derives local broker defaults from the region', () => {
    expect(defaultBrokers('us')).toEqual(['127.0.0.1:9192']);
    expect(defaultBrokers('eu', 'a:1, b:2')).toEqual(['a:1', 'b:2']);
  });
});
