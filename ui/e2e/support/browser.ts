import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expectAccessible } from './axe';

export const CHROMIUM = '/usr/bin/chromium';
export const screenshotDir = fileURLToPath(new URL('../screenshots/', import.meta.url));

/**
 * Debian's Chromium, headless. Missing Chromium fails the suite — CI installs it, so a skip would
 * only hide that the UI went untested. `launch` gives every run a fresh, temporary profile.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is missing at ${CHROMIUM}: install it with \`apt-get update && apt-get install -y chromium\``);
  }
  mkdirSync(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** A new person at a new browser: own cookies, own viewport. */
export async function newPerson(browser: Browser, baseURL: string, viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport, acceptDownloads: true });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  // A script error in the page is what a failing step most often hides: say it in the test output.
  page.on('pageerror', (error) => console.error(`page error at ${page.url()}: ${error.message}`));
  return page;
}

/**
 * The whole page, or only what is on screen (`fullPage: false`: a dialog's backdrop covers only the
 * screen). A page worth a screenshot is a page a person sees: axe-core checks it first, unless the
 * shot is of a failure (`checked: false`).
 */
export async function shot(page: Page, name: string, { fullPage = true, checked = true } = {}) {
  if (checked) await expectAccessible(page, name);
  await page.screenshot({ path: `${screenshotDir}${name}.png`, fullPage });
}

/** True when nothing sticks out sideways: the page reads without horizontal scrolling. */
export const fitsWidth = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

/**
 * A page as a person sees it, at the desktop and the phone width: axe-core finds nothing, nothing
 * sticks out sideways, and a screenshot of each width is kept (`<name>-1280.png`, `<name>-390.png`)
 * for a person to look at. The page ends at the width it had.
 */
export async function look(page: Page, name: string, { fullPage = true } = {}) {
  const before = page.viewportSize();
  for (const viewport of [DESKTOP, PHONE]) {
    await page.setViewportSize(viewport);
    await expectAccessible(page, `${name} at ${viewport.width} px`);
    if (!(await fitsWidth(page))) throw new Error(`${name} scrolls sideways at ${viewport.width} px`);
    await shot(page, `${name}-${viewport.width}`, { fullPage, checked: false });
  }
  if (before) await page.setViewportSize(before);
}
