import { describe, expect, it } from 'vitest';
import { ConfigError } from '@streambid/adapters';
import { loadProfileBuilderConfig } from './config.js';

describe('profile-builder config', () => {
  it('defaults to port 8070, a 30-day TTL and the eu region', () => {
    const cfg = loadProfileBuilderConfig({});
    expect(cfg).toMatchObject({
      PROFILE_BUILDER_PORT: 8070,
      PROFILE_TTL_SECONDS: 2_592_000,
      PROFILE_KEY_PREFIX: 'sb:',
      PROFILE_MAX_CALLS_IN_FLIGHT: 1,
      REGION: 'eu',
    });
  });

  it('names the variable that is invalid', () => {
    expect(() => loadProfileBuilderConfig({ PROFILE_TTL_SECONDS: '-5' })).toThrow(ConfigError);
    expect(() => loadProfileBuilderConfig({ PROFILE_TTL_SECONDS: '-5' })).toThrow(
      /PROFILE_TTL_SECONDS/,
    );
  });
});
