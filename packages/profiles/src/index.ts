export * from './types.js';
export {
  decayScore,
  utcDay,
  parseBlob,
  parseHash,
  toLookup,
  type StoredProfile,
} from './decode.js';
export { ProfileReader } from './reader.js';
export {
  ProfileWriter,
  type ApplyResult,
  type PartitionSource,
  type ProfileWriterOptions,
  type SourcedUpdate,
} from './writer.js';
