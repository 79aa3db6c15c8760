/**
 * Debian's Chromium driven by playwright-core, for the browser tests of the integration lane.
 * `npx playwright install` cannot download a browser here; the integration lane's global setup
 * installs the `chromium` package (`ensureChromium` in infra) before any test runs.
 */
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** A headless Chromium with no sandbox (tests run as root) and no background networking. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-default-apps',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
