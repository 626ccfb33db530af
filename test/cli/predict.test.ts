import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetLabels } from '../../src/data/labels.js';
import { renderShades } from '../../src/cli/shades.js';
import type { Model } from '../../src/model/model.js';
import { predictImageFile } from '../../src/predict/predict.js';
import { saveModel } from '../../src/model/save.js';
import { Random } from '../../src/nn/random.js';
import { renderDigitStyles, testDigits } from '../helpers/digit-images.js';
import { encodePng, pngChunk } from '../helpers/png-encoder.js';
import { randomModel } from '../helpers/random-data.js';

let workspace: string;
/** Absolute paths of the files written in beforeAll, by short name. */
const files: Record<string, string> = {};
let digitModel: Model;

/** A PNG that is only a signature and an IHDR claiming 10000×10000 (100 megapixels), no data. */
function pngBombHeader(): Uint8Array {
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, 10000);
  new DataView(ihdr.buffer).setUint32(4, 10000);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit grey, no interlacing
  const signature = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', ihdr)]);
}

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'mnn-cli-predict-'));
  const write = (name: string, bytes: Uint8Array | string): void => {
    files[name] = join(workspace, name);
    writeFileSync(files[name], bytes);
  };
  digitModel = randomModel([784, 16, 10], datasetLabels('mnist'));
  for (const [name, model] of [
    ['model.json', digitModel],
    ['fashion.json', randomModel([784, 16, 10], datasetLabels('fashion'))],
    ['wide.json', randomModel([100, 10], datasetLabels('mnist'))],
  ] as const) {
    files[name] = join(workspace, name);
    saveModel(files[name], model);
  }
  // A "7" from the MNIST TEST split, drawn black on white and as a noisy JPEG photo.
  const seven = testDigits(8)[7];
  const styles = renderDigitStyles(seven.pixels, new Random(1));
  const png = styles[0].bytes;
  const jpg = styles.find((style) => style.extension === 'jpg')?.bytes as Uint8Array;
  write('seven.png', png);
  write('seven.jpg', jpg);
  write('notes.txt', 'shopping: eggs, milk\n');
  write('digit.gif', Buffer.from('GIF89a\x1c\x00\x1c\x00\x00\x00\x00;'));
  write('truncated.png', png.subarray(0, Math.floor(png.length / 2)));
  const damaged = Uint8Array.from(png);
  damaged[60] ^= 0xff; // inside the image data: the chunk's CRC no longer matches
  write('damaged.png', damaged);
  write('truncated.jpg', jpg.subarray(0, jpg.length - 100));
  write(
    'blank.png',
    encodePng({
      width: 40,
      height: 30,
      colorType: 0,
      bitDepth: 8,
      samples: new Array(1200).fill(250),
    }),
  );
  write('bomb.png', pngBombHeader());
  // SOI, then a baseline frame header (SOF0) claiming 60000×60000, and nothing else.
  write(
    'bomb.jpg',
    Uint8Array.from([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0xea, 0x60, 0xea, 0x60, 1, 1, 0x11, 0]),
  );
});

afterAll(() => {
  rmSync(workspace, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a subprocess. */
function mnn(...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  return new Promise((resolve) => {
    execFile('node', ['dist/cli/main.js', ...args], { env }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
    });
  });
}

/** Runs `mnn predict --model model.json` on some of the files written in beforeAll. */
function predict(...args: string[]): Promise<Run> {
  return mnn('predict', '--model', files['model.json'], ...args);
}

/** Expects exactly one error line on stderr, matching the pattern, and exit code 1. */
function expectOneErrorLine(run: Run, pattern: RegExp): void {
  expect(run.code).toBe(1);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

/** A regular expression matching a path literally. */
function literal(path: string): string {
  return path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('mnn predict: images it cannot use, one clear line each', () => {
  it('refuses a file that is not an image', async () => {
    const run = await predict(files['notes.txt']);
    expectOneErrorLine(
      run,
      new RegExp(`^error: ${literal(files['notes.txt'])} is not a PNG or JPEG image; .*PNG`),
    );
    expect(run.stdout).toBe('');
  });

  it('names an unsupported image format', async () => {
    const run = await predict(files['digit.gif']);
    expectOneErrorLine(
      run,
      new RegExp(`^error: ${literal(files['digit.gif'])} is a GIF image; .*convert it to PNG`),
    );
  });

  for (const name of ['truncated.png', 'damaged.png', 'truncated.jpg']) {
    it(`refuses a truncated or corrupt file (${name})`, async () => {
      const format = name.endsWith('.png') ? 'PNG' : 'JPEG';
      const run = await predict(files[name]);
      expectOneErrorLine(
        run,
        new RegExp(`^error: ${literal(files[name])} is a truncated or corrupt ${format} \\(`),
      );
    });
  }

  it('says "no digit found" for an image without ink', async () => {
    const run = await predict(files['blank.png']);
    expectOneErrorLine(
      run,
      new RegExp(`^error: no digit found in ${literal(files['blank.png'])}: `),
    );
  });

  for (const name of ['bomb.png', 'bomb.jpg']) {
    it(`refuses over 24 megapixels (or 16384 pixels a side) from the header alone (${name})`, async () => {
      // The file holds a header and no image data: decoding would report a corrupt file,
      // so the size message shows that the header was checked before any decoding.
      const run = await predict(files[name]);
      expectOneErrorLine(
        run,
        new RegExp(
          `^error: ${literal(files[name])} (is too large: .*over the limit of 24 megapixels|is 60000×60000 pixels; each side may be at most 16384)`,
        ),
      );
    });
  }

  it('reports a missing file', async () => {
    const missing = join(workspace, 'missing.png');
    expectOneErrorLine(
      await predict(missing),
      new RegExp(`^error: image ${literal(missing)} not found`),
    );
  });
});

describe('mnn predict: models', () => {
  it('refuses a model whose input size is not 784', async () => {
    const run = await mnn('predict', '--model', files['wide.json'], files['seven.png']);
    expectOneErrorLine(
      run,
      new RegExp(`^error: ${literal(files['wide.json'])} takes 100 inputs, .*784`),
    );
    expect(run.stdout).toBe('');
  });

  it('prints Fashion-MNIST class names when the model has them', async () => {
    const run = await mnn(
      'predict',
      '--model',
      files['fashion.json'],
      '--top',
      '10',
      files['seven.png'],
    );
    expect(run.code).toBe(0);
    for (const name of datasetLabels('fashion')) expect(run.stdout).toContain(` ${name} `);
    const json = await mnn(
      'predict',
      '--model',
      files['fashion.json'],
      '--json',
      files['seven.png'],
    );
    const [result] = JSON.parse(json.stdout) as Array<{ prediction: string }>;
    expect(datasetLabels('fashion')).toContain(result.prediction);
  });
});

describe('mnn predict: output', () => {
  it('prints the label, its probability and the top k as bars', async () => {
    const run = await predict('--top', '3', files['seven.png']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const { prediction, probabilities, doubt } = predictImageFile(digitModel, files['seven.png']);
    const best = Math.max(...probabilities);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${files['seven.png']}: ${prediction} (${(best * 100).toFixed(1)}%)`);
    // A doubtful prediction (issue 9, finding 13) has a warning line before the bars.
    const bars = doubt === undefined ? lines.slice(1) : lines.slice(2);
    if (doubt !== undefined) expect(lines[1]).toMatch(/^ {2}warning: /);
    expect(bars).toHaveLength(3);
    expect(bars[0]).toMatch(new RegExp(`^  ${prediction} +${(best * 100).toFixed(1)}% █*$`));
  });

  it('predicts the good images of a call and exits 1 when one is bad', async () => {
    const run = await predict(files['seven.png'], files['notes.txt'], files['seven.jpg']);
    expectOneErrorLine(run, new RegExp(`^error: ${literal(files['notes.txt'])} is not`));
    expect(run.stdout).toContain(`${files['seven.png']}: `);
    expect(run.stdout).toContain(`${files['seven.jpg']}: `);
  });

  it('prints --json as [{file, prediction, confidence, probabilities}] with every class in label order', async () => {
    const run = await predict('--json', files['seven.png'], files['blank.png'], files['seven.jpg']);
    expectOneErrorLine(run, /^error: no digit found in /);
    const results = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    expect(results).toHaveLength(2);
    results.forEach((result, index) => {
      const file = files[index === 0 ? 'seven.png' : 'seven.jpg'];
      // The CLI runs the same library path, so its probabilities are exactly the library's.
      const expected = predictImageFile(digitModel, file);
      expect(result).toEqual({
        file,
        prediction: expected.prediction,
        confidence: expected.confidence,
        probabilities: expected.probabilities,
        // Only a doubtful prediction carries a warning (issue 9, finding 13).
        ...(expected.doubt !== undefined && { warning: expect.any(String) }),
      });
      const probabilities = result.probabilities as number[];
      expect(probabilities).toHaveLength(10);
      expect(probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 12);
      const best = probabilities.indexOf(Math.max(...probabilities));
      expect(result.prediction).toBe(datasetLabels('mnist')[best]);
    });
  });

  it('--show draws the 28×28 image the network saw in Unicode shades', async () => {
    const run = await predict('--show', files['seven.png']);
    expect(run.code).toBe(0);
    const drawn = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('  │'))
      .map((line) => line.slice(3, -1));
    const { pixels } = predictImageFile(digitModel, files['seven.png']);
    expect(drawn).toEqual(renderShades(pixels));
    expect(drawn).toHaveLength(28);
    expect(drawn.every((line) => line.length === 56)).toBe(true);
    expect(drawn.join('')).toMatch(/█/);
  });
});
