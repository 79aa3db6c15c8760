export * from './agents.js';
export * from './generator.js';
export * from './random.js';
