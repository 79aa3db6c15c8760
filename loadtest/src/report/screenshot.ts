import { existsSync } from 'node:fs';
import { CHROMIUM_PATH, launchChromium } from '@streambid/testkit/browser';

/**
 * Saves a full-page screenshot of the live dashboard at `url` (its token in the URL) into `file`,
 * through Debian's Chromium. Never throws: resolves with why there is no screenshot, or null.
 */
export async function screenshotDashboard(url: string, file: string): Promise<string | null> {
  if (!existsSync(CHROMIUM_PATH))
    return `no ${CHROMIUM_PATH} (apt-get install chromium), open ${url} instead`;
  try {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(url);
      // The page draws its history as soon as the feed says hello.
      await page.locator('#status[data-state="live"]').waitFor({ timeout: 10_000 });
      await page.screenshot({ path: file, fullPage: true });
      return null;
    } finally {
      await browser.close();
    }
  } catch (err) {
    return (err as Error).message.split('\n')[0] ?? 'screenshot failed';
  }
}
