export { runOpenModel } from './open-model.js';
export {
  RawHttpPool,
  ResponseParser,
  type RawHttpPoolOptions,
  type RawResponse,
} from './raw-http.js';
export type {
  LatencySummary,
  OpenModelOptions,
  OpenModelResult,
  RequestSpec,
  TimelinePoint,
} from './open-model.js';
export {
  dueCount,
  intendedTime,
  latencyFrom,
  rateSteps,
  secondOf,
  totalRequests,
} from './schedule.js';
