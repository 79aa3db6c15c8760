export * from './closers.js';
export * from './ops-http.js';
export * from './run-service.js';
