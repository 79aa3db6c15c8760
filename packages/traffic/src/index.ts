export * from './agents.js';
export * from './generator.js';
export { DELAYED_INJECTION_MS, LOW_AND_SLOW_MAX_CLICKS_PER_IP } from './hard.js';
export * from './random.js';
