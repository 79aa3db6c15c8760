export * from './regions.js';
export * from './money.js';
export * from './limits.js';
export * from './topic.js';
export * from './events.js';
export * from './topics.js';
export * from './openrtb/index.js';
export * from './spend-cut.js';
