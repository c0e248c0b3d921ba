import fs from 'node:fs';
import path from 'node:path';
import {
  type Browser,
  type BrowserContext,
  type Cookie,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';

const DEFAULT_CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM = process.env['CHROMIUM_PATH'] || DEFAULT_CHROMIUM;

/** CI sets ORDERHUB_REQUIRE_BROWSER=1: there a missing browser fails the run instead of skipping. */
export const BROWSER_REQUIRED = process.env['ORDERHUB_REQUIRE_BROWSER'] === '1';

const HOW_TO_ENABLE = 'install it with "apt-get install chromium fonts-wqy-microhei" or set CHROMIUM_PATH';

/** Why the browser tests cannot run here (no executable Chromium), or null when they can. */
export function chromiumMissing(): string | null {
  try {
    fs.accessSync(CHROMIUM, fs.constants.X_OK);
    if (fs.statSync(CHROMIUM).isFile()) return null;
  } catch {
    // missing or not executable
  }
  return `no Chromium at ${CHROMIUM}`;
}

const missing = chromiumMissing();

/**
 * True when the browser tests are skipped: no Chromium and not required. A fresh machine with only
 * Node passes `npm test`; the global setup prints the one line saying how to enable them.
 */
export const SKIP_BROWSER_TESTS = missing !== null && !BROWSER_REQUIRED;

/** The single line printed when the browser tests are skipped. */
export const SKIP_LINE = `browser tests skipped: ${missing} — ${HOW_TO_ENABLE}`;

/** Throws, saying what is missing and how to install it, when there is no Chromium to launch. */
export function assertChromium(): void {
  const why = chromiumMissing();
  if (why) {
    const required = BROWSER_REQUIRED ? ' (ORDERHUB_REQUIRE_BROWSER=1 requires the browser tests)' : '';
    throw new Error(`${why}${required}: ${HOW_TO_ENABLE}`);
  }
}

/** Set by the global setup when building the console failed, so only the browser tests fail. */
export const CONSOLE_BUILD_ERROR_ENV = 'ORDERHUB_TEST_CONSOLE_BUILD_ERROR';

/** Throws when the browser tests cannot run: no Chromium, or the console did not build. */
export function assertBrowserReady(): void {
  assertChromium();
  const buildError = process.env[CONSOLE_BUILD_ERROR_ENV];
  if (buildError) throw new Error(`the console did not build (see the build output above): ${buildError}`);
}

/**
 * Debian's Chromium, headless; as root it needs --no-sandbox. Playwright gives every launch a fresh
 * temporary profile (it refuses --user-data-dir for launch()).
 */
export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  assertChromium();
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

/**
 * A fresh browser context as a member of staff in Shanghai sees the console: the viewport's width,
 * the language (also stored where the console keeps the user's choice, unless a page changed it
 * since), and the system's "reduce motion" setting on — the console then opens dialogs, menus and
 * drawers without their animations, which spares the machine's CPU and leaves no half-open dialog
 * for a click to miss (`motion: true` keeps the animations, as most users see them). `timeout` is
 * the default wait for every action: generous, as the machine runs the server in the same process
 * and two browser files at once.
 */
export async function newConsoleContext(
  browser: Browser,
  {
    width = 1440,
    locale = 'zh-CN',
    timeout = 60_000,
    motion = false,
  }: { width?: number; locale?: string; timeout?: number; motion?: boolean } = {},
): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    viewport: { width, height: 900 },
    locale,
    timezoneId: 'Asia/Shanghai',
    reducedMotion: motion ? 'no-preference' : 'reduce',
  });
  ctx.setDefaultTimeout(timeout);
  await ctx.addInitScript(
    `if (!localStorage.getItem('orderhub.locale')) localStorage.setItem('orderhub.locale', ${JSON.stringify(locale)});`,
  );
  return ctx;
}

export type ConsoleContextOptions = NonNullable<Parameters<typeof newConsoleContext>[1]>;

/** The cookies a log-in left, by console address and user name (this test file's process only). */
const sessions = new Map<string, Cookie[]>();

/**
 * A page of the console at `url` (its address and path), logged in as `username`, in a context of
 * its own (`newConsoleContext`). The first time, through the log-in form, as a user does; after
 * that the context starts with the cookies that log-in left, so the page opens at once — a
 * page load and a log-in less per test. A session that no longer works (a test logged out, let it
 * expire, changed the password) shows the log-in form: then the form again. Tests of the log-in
 * itself use the form directly.
 */
export async function openLoggedIn(
  browser: Browser,
  url: string,
  user: { username: string; password: string },
  options: ConsoleContextOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const target = new URL(url);
  const key = `${target.origin} ${user.username}`;
  const context = await newConsoleContext(browser, options);
  const page = await context.newPage();
  const saved = sessions.get(key);
  if (saved) await context.addCookies(saved);
  await page.goto(url);
  const landed = await page.waitForSelector('[data-menu], #login-username');
  if ((await landed.getAttribute('id')) === 'login-username') {
    sessions.delete(key);
    await page.fill('#login-username', user.username);
    await page.fill('#login-password', user.password);
    await page.click('[data-testid=login-submit]');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.waitForSelector('[data-menu]');
    sessions.set(key, await context.cookies());
    // The console returns to the page asked for; should it land elsewhere, the page is opened.
    const now = new URL(page.url());
    if (target.pathname !== '/' && now.pathname + now.search !== target.pathname + target.search)
      await page.goto(url);
  }
  return { context, page };
}

/** Screenshots for review go to <repo>/screenshots (gitignored). */
export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../../../screenshots');

/**
 * Clicks a dialog's button until it is no longer visible (the dialog closed). On a loaded machine
 * a click during the dialog's opening animation can be lost; `button` should match visible
 * elements only (a `:visible` in its chain), so a closed dialog counts as gone.
 */
export async function clickUntilGone(button: Locator, attempts = 5): Promise<void> {
  for (let i = 0; i < attempts && (await button.count()) > 0; i++) {
    await button.click({ timeout: 10_000 }).catch(() => undefined);
    await button.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
  }
  if ((await button.count()) > 0) throw new Error(`still there after ${attempts} clicks: ${button}`);
}

/**
 * Runs `act` (the clicks that open something: a select's option, a dialog) until `shown` is
 * visible. On a loaded machine a click during an opening animation can be lost; `act` should
 * only click what is not open yet, so a repeat does not undo a click that took.
 */
export async function actUntilShown(act: () => Promise<void>, shown: Locator, attempts = 5): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    await act().catch(() => undefined);
    const visible = await shown.waitFor({ state: 'visible', timeout: 5_000 }).then(
      () => true,
      () => false,
    );
    if (visible) return;
  }
  throw new Error(`not shown after ${attempts} tries: ${shown}`);
}

/**
 * How many pixels the widest table on the page is wider than its card: 0 when every column, its
 * buttons included, is on screen without scrolling sideways.
 */
export async function tableOverflow(page: Page): Promise<number> {
  return page.$$eval('.ant-table-wrapper', (tables) =>
    Math.max(0, ...tables.map((el) => (el.querySelector('table')?.scrollWidth ?? 0) - el.clientWidth)),
  );
}
