// What the end-to-end tests use: a whole local stack (services, apps per region, topics) under a
// fresh namespace, the apps' ports, and the campaign bodies the load test seeds.
export {
  appPorts,
  INVENTORY_TOKEN,
  setAppPortOffset,
  startStack,
  stopStack,
  type Stack,
} from './run.js';
export { campaignBody } from './seed.js';
