import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/load.js';
import type { HistoryPoint, Model } from '../../src/model/model.js';
import { saveModel } from '../../src/model/save.js';
import { testDigits } from '../helpers/digit-images.js';
import {
  drawStrokes,
  launchChromium,
  saveScreenshot,
  watchedPage,
  type Stroke,
  type WatchedPage,
} from '../helpers/browser.js';
import { runCli, startCli, waitUntil, type CliProcess } from '../helpers/cli-process.js';

/**
 * The page in a real browser (Debian's chromium, driven by puppeteer-core): a model trained here
 * by the CLI, served by `mnn serve`, drawn on with the pointer; screenshots go to test-artifacts/.
 */

let workspace: string;
let downloads: string;
let serve: CliProcess;
let url: string;
let browser: Browser;
let watched: WatchedPage;

/** `mnn predict --json` of one file. */
interface CliPrediction {
  readonly prediction: string;
  readonly probabilities: number[];
}

/**
 * The digit redrawn with the pad's pen: one horizontal stroke along each row's run of ink,
 * with the digit's ink box scaled to fill most of the pad (as a person draws).
 */
function strokesOf(pixels: Uint8Array, box: { x: number; y: number; width: number }): Stroke[] {
  const ink = (column: number, row: number): boolean =>
    column < 28 && pixels[row * 28 + column] >= 128;
  const rows = [...Array(28).keys()].filter((row) =>
    [...Array(28).keys()].some((c) => ink(c, row)),
  );
  const columns = [...Array(28).keys()].filter((c) => rows.some((row) => ink(c, row)));
  const [top, left] = [rows[0], columns[0]];
  const span = Math.max(rows.length, columns.length);
  const scale = (box.width * 0.75) / span;
  const at = (column: number, row: number): readonly [number, number] => [
    box.x + box.width / 2 + (column + 0.5 - left - columns.length / 2) * scale,
    box.y + box.width / 2 + (row + 0.5 - top - rows.length / 2) * scale,
  ];
  const strokes: Stroke[] = [];
  for (const row of rows) {
    let start = -1;
    for (let column = 0; column <= 28; column++) {
      if (ink(column, row) && start < 0) start = column;
      if (!ink(column, row) && start >= 0) {
        strokes.push([at(start, row), at(column - 1, row)]);
        start = -1;
      }
    }
  }
  return strokes;
}

/** Every request went to the served address (or stayed inside the page: data:, blob:). */
function expectOnlyLocalRequests(requests: readonly string[], origin: string): void {
  const outside = requests.filter(
    (request) => !request.startsWith(origin) && !/^(data|blob):/.test(request),
  );
  expect(outside).toEqual([]);
}

/** Waits until the page's header (#file) shows `text`: the model version it says it shows. */
function waitForFileText(text: string, timeout: number): Promise<unknown> {
  return watched.page.waitForFunction(
    `document.getElementById('file')?.textContent?.includes(${JSON.stringify(text)})`,
    { timeout, polling: 20 },
  );
}

/** Waits for a downloaded file to be complete (Chrome writes *.crdownload, then renames). */
async function downloaded(name: string): Promise<string> {
  const path = join(downloads, name);
  await waitUntil(
    () => existsSync(path) && !readdirSync(downloads).some((file) => file.endsWith('.crdownload')),
    10_000,
  );
  await waitUntil(() => statSync(path).size > 0);
  return path;
}

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'mnn-browser-'));
  downloads = join(workspace, 'downloads');
  const training = await runCli(
    [
      'train',
      '--limit',
      '2000',
      '--iters',
      '40',
      '--layers',
      '784,16,10',
      '--eval-every',
      '5',
      '--out',
      'model.json',
      '--json',
    ],
    workspace,
  );
  expect(training.code, training.stderr).toBe(0);
  serve = startCli(['serve', 'model.json'], workspace);
  await waitUntil(
    () => serve.output.stdout.includes('press Ctrl-C') || serve.child.exitCode !== null,
  );
  url = /at (http:\S+)/.exec(serve.output.stdout)?.[1] ?? '';
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  browser = await launchChromium(downloads);
  watched = await watchedPage(browser);
  await watched.page.goto(url);
  await watched.page.waitForSelector('#live[data-state="live"]');
  await watched.page.waitForSelector('#test svg.confusion');
});

afterAll(async () => {
  await browser?.close();
  serve?.child.kill('SIGINT');
  await serve?.done;
});

describe('the served page in a browser', () => {
  it('predicts a drawing as `mnn predict` does with the same PNG', async () => {
    const { page } = watched;
    const seven = testDigits(8)[7];
    const pad = await page.$('#pad');
    const box = await pad?.boundingBox();
    if (!box) throw new Error('the pad is not on the page');
    await drawStrokes(page, strokesOf(seven.pixels, box));
    await page.waitForSelector('#prediction[data-state="current"]');
    const shown = await page.$$eval('#prediction ol.top li', (items) =>
      items.map((item) => [
        item.querySelector('.label')?.textContent,
        item.querySelector('.probability')?.textContent,
      ]),
    );
    await saveScreenshot(page, 'draw-pad');

    await page.click('#save');
    const png = await downloaded('drawing.png');
    const cli = await runCli(['predict', '--json', '--model', 'model.json', png], workspace);
    expect(cli.code, cli.stderr).toBe(0);
    const [expected] = JSON.parse(cli.stdout) as CliPrediction[];
    const ranked = expected.probabilities
      .map((probability, label) => [String(label), `${(probability * 100).toFixed(1)}%`])
      .sort((a, b) => parseFloat(b[1]) - parseFloat(a[1]) || Number(a[0]) - Number(b[0]))
      .slice(0, 3);
    expect(shown[0][0]).toBe(expected.prediction);
    expect(shown).toEqual(ranked);
    // The 28×28 image and every layer's activations are drawn for the drawing.
    expect(await page.$$eval('#activations canvas', (canvases) => canvases.length)).toBe(2);
    expect(watched.problems).toEqual([]);
  });

  it('opens the test images of a clicked confusion-matrix cell, as many as the cell counts', async () => {
    const { page } = watched;
    const evaluation = await runCli(['eval', 'model.json', '--json'], workspace);
    const { confusion } = JSON.parse(evaluation.stdout) as { confusion: number[][] };
    const mistakes = confusion.flatMap((row, t) =>
      row.map((count, p) => ({ t, p, count })).filter((cell) => cell.t !== cell.p),
    );
    const biggest = mistakes.reduce((best, cell) => (cell.count > best.count ? cell : best));
    expect(biggest.count).toBeGreaterThan(0);
    for (const { t, p, count } of [biggest, { t: 5, p: 5, count: confusion[5][5] }]) {
      await page.click(`#test a.cell[data-true="${t}"][data-predicted="${p}"]`);
      await page.waitForSelector(`#gallery section#cell-${t}-${p}`);
      const images = await page.$$eval(
        '#gallery img',
        (found) =>
          found.filter(
            (image) => (image as unknown as { naturalWidth: number }).naturalWidth === 28,
          ).length,
      );
      expect(images).toBe(count);
      expect(await page.$eval('#gallery h3', (heading) => heading.textContent)).toMatch(
        new RegExp(`^${count} test image`),
      );
    }
    await page.click(`#test a.cell[data-true="${biggest.t}"][data-predicted="${biggest.p}"]`);
    await page.waitForSelector(`#gallery section#cell-${biggest.t}-${biggest.p}`);
    await saveScreenshot(page, 'model-view');
    expect(watched.problems).toEqual([]);
  });

  it('follows a training run that checkpoints into the served file', async () => {
    const run = startCli(
      ['train', '--resume', 'model.json', '--iters', '200', '--checkpoint-every', '10'],
      workspace,
    );
    await waitForFileText('of 200, checkpoint', 60_000);
    await watched.page.waitForSelector('#prediction[data-state="current"]');
    await saveScreenshot(watched.page, 'live-update');
    await waitForFileText('iteration 200, complete', 120_000);
    expect((await run.done).code).toBe(0);
    expect(watched.problems).toEqual([]);
  });

  it('shows each checkpoint within 2 s of its being written', async () => {
    const modelPath = join(workspace, 'model.json');
    const trained = loadModel(modelPath);
    const record = trained.training;
    if (!record) throw new Error('the trained model has no training record');
    const latencies: number[] = [];
    for (const iteration of [210, 220, 230]) {
      const last = record.history[record.history.length - 1];
      const history: HistoryPoint[] = [
        ...record.history,
        ...[210, 220, 230]
          .filter((step) => step <= iteration)
          .map((step) => ({ ...last, iteration: step })),
      ];
      const checkpoint: Model = {
        ...trained,
        training: {
          ...record,
          iterations: iteration,
          targetIterations: 300,
          complete: false,
          history,
        },
      };
      const written = Date.now();
      saveModel(modelPath, checkpoint); // the atomic write `mnn train` checkpoints with
      await waitForFileText(`iteration ${iteration} of 300`, 2000);
      latencies.push(Date.now() - written);
    }
    console.log(`page updated ${latencies.join(' ms, ')} ms after each checkpoint was written`);
    expect(watched.problems).toEqual([]);
    expectOnlyLocalRequests(watched.requests, url);
  });

  it('predicts an opened image file as `mnn predict` does, and says why a non-image fails', async () => {
    const { page } = watched;
    const photo = fileURLToPath(new URL('../fixtures/image/progressive-7.jpg', import.meta.url));
    const input = await page.$('#upload');
    // The answer to the drawing is current; wait for the one to the file.
    await page.evaluate("document.getElementById('prediction').dataset.state = 'stale'");
    await input?.uploadFile(photo);
    await page.waitForSelector('#prediction[data-state="current"]');
    const shown = await page.$eval('#prediction .top1', (top) => top.firstChild?.textContent);
    const cli = await runCli(['predict', '--json', '--model', 'model.json', photo], workspace);
    const [expected] = JSON.parse(cli.stdout) as CliPrediction[];
    expect(shown).toBe(expected.prediction);

    const notes = join(workspace, 'notes.png');
    writeFileSync(notes, 'shopping: eggs, milk');
    await input?.uploadFile(notes);
    await page.waitForSelector('#prediction[data-state="problem"]');
    expect(await page.$eval('#prediction', (box) => box.textContent)).toMatch(
      /the image is not a PNG or JPEG image/,
    );
    // The browser logs the refused upload (422) as a failed resource; nothing else went wrong.
    expect(watched.problems.filter((problem) => !problem.includes('/api/predict'))).toEqual([]);
  });
});

describe('the report in a browser', () => {
  it('renders from disk with nothing fetched but itself', async () => {
    const made = await runCli(['report', 'model.json', '-o', 'report.html'], workspace);
    expect(made.code, made.stderr).toBe(0);
    const report = await watchedPage(browser);
    const file = pathToFileURL(join(workspace, 'report.html')).href;
    await report.page.goto(file, { waitUntil: 'load' });
    const images = await report.page.$$eval('img', (found) =>
      found.map((image) => (image as unknown as { naturalWidth: number }).naturalWidth),
    );
    expect(images.length).toBeGreaterThan(16);
    expect(images.every((width) => width === 28)).toBe(true);
    expect(await report.page.$$eval('svg.chart polyline', (lines) => lines.length)).toBe(3);
    expect(
      await report.page.$$eval('svg.confusion a.cell', (cells) => cells.length),
    ).toBeGreaterThan(0);
    await saveScreenshot(report.page, 'report');
    expect(report.problems).toEqual([]);
    expect(
      report.requests.filter((request) => request !== file && !request.startsWith('data:')),
    ).toEqual([]);
  });
});
