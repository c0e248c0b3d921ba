import { ensureConsoleBuild } from '../scripts/ensure-build.mjs';
import { CONSOLE_BUILD_ERROR_ENV, chromiumMissing, SKIP_BROWSER_TESTS, SKIP_LINE } from './e2e/browser.ts';

/**
 * The browser tests need the built console; build it once when it is missing or stale. Without
 * Chromium they are skipped: say so once, with how to enable them, and do not build.
 * A failed build fails the browser tests only (they read the error from the environment), never
 * the rest of the suite.
 */
export default function setup() {
  if (SKIP_BROWSER_TESTS) {
    process.stdout.write(`${SKIP_LINE}\n`);
    return;
  }
  // Required but missing: the browser file fails on that alone; building would only cost time.
  if (chromiumMissing()) return;
  try {
    ensureConsoleBuild({ quiet: true });
  } catch (err) {
    process.env[CONSOLE_BUILD_ERROR_ENV] = err instanceof Error ? err.message : String(err);
  }
}
