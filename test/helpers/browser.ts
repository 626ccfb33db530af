import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** Debian's chromium (`.ci/run` installs it); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots of browser tests (git-ignored), to look at after a run. */
export const ARTIFACTS_DIRECTORY = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/**
 * Starts headless Chromium with a fresh profile and every background service that would reach
 * Google's hosts switched off, so that a test sees only the requests its pages make. Downloads
 * go to `downloadPath`.
 */
export function launchChromium(downloadPath: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'mnn-chromium-'));
  return puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    downloadBehavior: { policy: 'allow', downloadPath },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-default-apps',
      '--disable-extensions',
      `--user-data-dir=${profile}`,
    ],
  });
}

/** A page with what it asked for and what went wrong in it. */
export interface WatchedPage {
  readonly page: Page;
  /** Every URL the page requested, in order. */
  readonly requests: string[];
  /** Console errors, uncaught exceptions and failed requests. */
  readonly problems: string[];
}

/** Opens a page that records its requests and problems. */
export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      problems.push(`console: ${message.text()} (${message.location().url ?? 'no location'})`);
    }
  });
  page.on('pageerror', (error) => problems.push(`exception: ${String(error)}`));
  page.on('requestfailed', (request) =>
    problems.push(`failed: ${request.url()} ${request.failure()?.errorText ?? ''}`),
  );
  return { page, requests, problems };
}

/** Saves a full-page screenshot as test-artifacts/NAME.png. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS_DIRECTORY, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS_DIRECTORY, `${name}.png`), fullPage: true });
}

/** A stroke of the pointer: the points it passes through, in page pixels. */
export type Stroke = readonly (readonly [number, number])[];

/** Replays strokes as mouse drags (which the page receives as pointer events). */
export async function drawStrokes(page: Page, strokes: readonly Stroke[]): Promise<void> {
  for (const stroke of strokes) {
    const [first, ...rest] = stroke;
    await page.mouse.move(first[0], first[1]);
    await page.mouse.down();
    for (const [x, y] of rest) await page.mouse.move(x, y, { steps: 4 });
    await page.mouse.up();
  }
}
