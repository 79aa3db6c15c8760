// `@streambid/adapters/cli`: the command-line helpers alone, for commands that need nothing else
// from the adapters (no Kafka, Redis or uWS loaded to print --help).
export * from './args.js';
export { envRows, formatEnvRows, jsdocByKey, type EnvRow } from './env-help.js';
