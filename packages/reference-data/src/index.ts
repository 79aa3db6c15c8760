// Reference data production code reads (the fraud scorer's data-centre list, the bot rules, the
// blocklist key normaliser), kept out of the traffic simulator so scoring does not depend on a
// simulator package.
export * from './datacentre.js';
export * from './ip.js';
export * from './ip-index.js';
export * from './normalise.js';
export * from './user-agent.js';
export * from './request-ivt.js';
export * from './history.js';
export * from './at-time.js';
