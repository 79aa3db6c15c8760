export * from './datacentre.js';
export * from './agents.js';
export * from './generator.js';
