import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveModel } from '../../src/model/save.js';
import { runCli } from '../helpers/cli-process.js';
import { randomDigitModel, trainingAt } from '../helpers/models.js';
import { writeTinyDataset } from '../helpers/tiny-data.js';

let workspace: string;

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'mnn-cli-report-'));
  writeTinyDataset(join(workspace, 'tiny'), { test: 30 });
  saveModel(join(workspace, 'model.json'), randomDigitModel([784, 8, 10], trainingAt(100)));
  saveModel(join(workspace, 'untrained.json'), randomDigitModel([784, 8, 10]));
});

describe('mnn report', () => {
  it('writes one self-contained HTML file with the test results of the given data', async () => {
    const run = await runCli(
      ['report', 'model.json', '--data', 'tiny', '-o', 'out/r.html'],
      workspace,
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^report written to out\/r\.html \(\d+ KB, self-contained/);
    const html = readFileSync(join(workspace, 'out/r.html'), 'utf8');
    expect(html).toContain('accuracy <strong>');
    expect(html).toMatch(/\(\d+ of 30\)/);
    const withoutImages = html.replace(/data:image\/png;base64,[A-Za-z0-9+/=]*/g, '');
    expect(withoutImages.match(/[a-z]+:\/\/|\/\/[a-z0-9]/gi) ?? []).toEqual([]);
  });

  it('prints a JSON summary, and refuses to write over the model', async () => {
    const run = await runCli(['report', 'model.json', '--data', 'tiny', '--json'], workspace);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      report: 'report.html',
      model: 'model.json',
      testResults: true,
    });
    const over = await runCli(['report', 'model.json', '-o', './model.json'], workspace);
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/^error: the output \.\/model\.json is the model file itself/);
    expect(readFileSync(join(workspace, 'model.json'), 'utf8')).toMatch(/^\{"format":"mnn-model"/);
  });
});

describe('mnn plot', () => {
  it('draws loss and accuracy in the terminal on honest scales (from 0; accuracy to 100%)', async () => {
    const run = await runCli(['plot', 'model.json'], workspace);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('loss (mean cross-entropy)   • training');
    expect(lines.find((line) => line.startsWith('accuracy'))).toMatch(
      /^accuracy {3}• training {2}◦ test( {2}\* both)?$/,
    );
    expect(run.stdout).toMatch(/^0\.000 ┤/m);
    expect(run.stdout).toMatch(/^100\.00% ┤/m);
    expect(run.stdout).toMatch(/^ {2}0\.00% ┤/m);
    expect(run.stdout).toContain('iteration 100');
  });

  it('writes an SVG file with both charts, and prints the curves as JSON', async () => {
    const svg = await runCli(['plot', 'model.json', '-o', 'curves.svg'], workspace);
    expect(svg.code).toBe(0);
    const text = readFileSync(join(workspace, 'curves.svg'), 'utf8');
    expect(text).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
    );
    expect(text.match(/<polyline /g)).toHaveLength(3);
    const json = await runCli(['plot', 'model.json', '--json'], workspace);
    const curves = JSON.parse(json.stdout) as {
      x: string;
      loss: { name: string; points: number[][] }[];
    };
    expect(curves.x).toBe('iteration');
    expect(curves.loss[0].name).toBe('training');
    expect(curves.loss[0].points[0]).toEqual([0, 2.3]);
  });

  it('says so when a model has no history', async () => {
    const run = await runCli(['plot', 'untrained.json'], workspace);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: untrained.json has no training history to plot; train it with `mnn train`.\n',
    );
  });
});
