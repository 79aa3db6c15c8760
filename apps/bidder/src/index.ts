// What other workspaces may use of the bidder. Nothing here starts it: tools spawn
// `src/main.ts` with these Node flags (the load test, the HTTP fuzzer).
export { BIDDER_NODE_FLAGS } from './runtime/node-flags.js';
