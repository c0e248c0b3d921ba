import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * Debian's Chromium, headless; as root it needs --no-sandbox. Playwright gives every launch a fresh
 * temporary profile (it refuses --user-data-dir for launch()).
 */
export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => undefined);
    },
  };
}

/** Screenshots for review go to <repo>/screenshots (gitignored). */
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../../../screenshots');
