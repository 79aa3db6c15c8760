export * from './types.js';
export { bidRequestSchema, bidResponseSchema, impSchema, supplyChainSchema } from './schema.js';
export { parseBidRequest, validateBidRequest, validateBidRequestWithZod } from './validate.js';
export type { BidRequestResult } from './validate.js';
export { makeBidRequest, mulberry32, SAMPLE_BANNER_SIZES, SAMPLE_COUNTRIES } from './sample.js';
export type { SampleOptions } from './sample.js';
