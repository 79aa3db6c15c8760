export * from './types.js';
export { bidRequestSchema, bidResponseSchema, impSchema, supplyChainSchema } from './schema.js';
export {
  nestsDeeperThan,
  parseBidRequest,
  validateBidRequest,
  validateBidRequestWithZod,
} from './validate.js';
export type { BidRequestResult } from './validate.js';
export { bidRequestSpec, impSpec, supplyChainSpec } from './spec.js';
export type {
  Field,
  Infer,
  NumField,
  NumsField,
  ObjField,
  ObjsField,
  Policy,
  Shape,
  StrField,
  StrsField,
} from '../fields/dsl.js';
