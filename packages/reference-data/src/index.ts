// Reference data production code reads (the fraud scorer's data-centre list), kept out of the
// traffic simulator so scoring does not depend on a simulator package.
export * from './datacentre.js';
