/**
 * Composition root of the inventory service: `npm run inventory`.
 * Environment: see src/config.ts (INVENTORY_TOKEN is required).
 */
import { ConfigError, createLogger } from '@streambid/adapters';
import { loadInventoryConfig, type InventoryConfig } from './config.js';
import { startInventory } from './service.js';

async function main(): Promise<number> {
  let cfg: InventoryConfig;
  try {
    cfg = loadInventoryConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`inventory: invalid configuration: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const logger = createLogger({ service: 'inventory', level: cfg.LOG_LEVEL });
  const log = logger.child({ module: 'main' });
  const service = await startInventory(cfg, logger).catch((err: unknown) => {
    log.fatal({ err }, 'failed to start');
    return null;
  });
  if (!service) return 1;
  try {
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        log.info({ signal }, 'draining');
        resolve();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      service.ready.catch((err: unknown) => {
        log.fatal({ err }, 'rebuilding the views failed');
        process.exitCode = 1;
        resolve();
      });
    });
  } finally {
    await service.close();
    log.info('stopped');
    await new Promise<void>((resolve) => {
      logger.flush(() => resolve());
    });
  }
  return Number(process.exitCode ?? 0);
}

main().then(
  (code) => {
    // Idle keep-alive client connections would hold the uWS loop open after the listen socket
    // closed (this uWS build has no app.close()); everything is drained, so exit explicitly.
    process.exit(code);
  },
  (err: unknown) => {
    console.error('inventory: fatal', err);
    process.exitCode = 1;
  },
);
