/**
 * Composition root of the inventory service: `npm run inventory` (`-- --help` lists the
 * environment; INVENTORY_TOKEN is required). Exit status: 0 after a drain, 1 on a fatal error
 * (including a view that failed to rebuild), 2 on a bad command line or environment.
 */
import { runApp } from '@streambid/adapters';
import { inventoryEnv, loadInventoryConfig } from './config.js';
import { startInventory } from './service.js';

void runApp({
  name: 'inventory',
  about: 'Campaign API, budget allocation and pacing for one region.',
  env: inventoryEnv,
  envFile: import.meta.resolve('./config.js'),
  config: () => loadInventoryConfig(),
  run: async ({ config, logger, closers, stopped }) => {
    const service = await startInventory(config, logger);
    closers.push('inventory', () => service.close());
    // Serving until a signal; views that cannot be rebuilt are fatal. (`failed` never rejects: a
    // rejection after the signal would be unhandled.)
    const failed = service.ready.then(
      () => new Promise<never>(() => undefined),
      (err: unknown) => ({ err }),
    );
    const end = await Promise.race([stopped, failed]);
    if (typeof end !== 'string') throw new Error('rebuilding the views failed', { cause: end.err });
  },
});
