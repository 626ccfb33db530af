/**
 * The CLI error matrix (issues 2 and 6): every bad input of every command, run as a subprocess of
 * the built CLI in an empty working directory. Each must exit with the right code, print a short
 * error without a stack trace, and create or change no file. Command lines commander refuses
 * while parsing are tested in process (parse.test.ts); a few stay here for the exit code.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  symlinkSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  lstatSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATASET_FILES } from '../../src/data/directory.js';
import { serializeModel } from '../../src/model/save.js';
import { runCliWithin } from '../helpers/cli-process.js';
import { deviceNode, expectDevicesIntact } from '../helpers/devices.js';
import { pngChunk } from '../helpers/png-encoder.js';
import { randomModel } from '../helpers/random-data.js';
import { writeTinyDataset } from '../helpers/tiny-data.js';

let fixtures: string;

/** A 784-10-10 model file with seeded weights (never trained: only its shape matters here). */
function modelText(): string {
  return serializeModel(randomModel([784, 10, 10]));
}

/** A 784-10-10 model file whose training record is `training` (merged into a minimal record). */
function trainedModelText(training: Record<string, unknown>): string {
  const document = JSON.parse(modelText()) as Record<string, unknown>;
  document.training = {
    dataset: 'packaged',
    samples: 60000,
    alpha: 0.001,
    iterations: 10,
    targetIterations: 10,
    seed: 1,
    evalEvery: 5,
    seconds: 1,
    history: [],
    ...training,
  };
  return JSON.stringify(document);
}

/** A 28×28 PNG of a dark bar on white. */
function digitPng(): Buffer {
  const png = new PNG({ width: 28, height: 28 });
  for (let i = 0; i < 28 * 28; i++) {
    const ink = i % 28 > 10 && i % 28 < 16 && i > 28 * 4 && i < 28 * 24;
    png.data.set(ink ? [0, 0, 0, 255] : [255, 255, 255, 255], i * 4);
  }
  return PNG.sync.write(png);
}

beforeAll(() => {
  fixtures = mkdtempSync(join(tmpdir(), 'mnn-matrix-'));
  const at = (name: string) => join(fixtures, name);
  writeTinyDataset(at('data'), { train: 20, test: 10 });
  for (const name of ['data-missing', 'data-corrupt', 'data-truncated']) {
    mkdirSync(at(name));
    for (const split of Object.values(DATASET_FILES)) {
      for (const file of Object.values(split))
        copyFileSync(join(at('data'), file), join(at(name), file));
    }
  }
  unlinkSync(join(at('data-missing'), DATASET_FILES.test.labels));
  writeFileSync(join(at('data-corrupt'), DATASET_FILES.train.images), 'this is not an IDX file');
  truncateSync(join(at('data-truncated'), DATASET_FILES.train.images), 1000);
  writeFileSync(at('model.json'), modelText());
  writeFileSync(at('not-json.json'), 'hello, I am not a model');
  const escapes = JSON.parse(modelText()) as { labels: string[] };
  escapes.labels[3] = '\u001b[2J\u001b[31mpwned';
  writeFileSync(at('escapes.json'), JSON.stringify(escapes));
  const wrong = JSON.parse(modelText()) as { weights: number[][] };
  wrong.weights[0] = wrong.weights[0].slice(0, 100);
  writeFileSync(at('wrong-lengths.json'), JSON.stringify(wrong));
  const adam = { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };
  writeFileSync(at('adam-finished.json'), trainedModelText({ optimizer: adam, batchSize: 128 }));
  writeFileSync(
    at('embedded.json'),
    trainedModelText({ dataset: 'embedded', targetIterations: 20, complete: false }),
  );
  writeFileSync(
    at('gd-checkpoint.json'),
    trainedModelText({ batchSize: 8, targetIterations: 20, complete: false }),
  );
  writeFileSync(at('digit.png'), digitPng());
  writeFileSync(at('notes.txt'), 'plain text, not an image');
  mkdirSync(at('a-directory'));
  deviceNode(fixtures, 'null');
  deviceNode(fixtures, 'zero');
  execFileSync('mkfifo', [at('fifo')]);
  writeEdgeFixtures(at);
  mkdirSync(at('fifo-data'));
  execFileSync('mkfifo', [join(at('fifo-data'), 'train-images-idx3-ubyte.gz')]);
});
afterAll(() => {
  rmSync(fixtures, { recursive: true, force: true });
  expectDevicesIntact();
});

/** A copy of the tiny data set (links) whose file `replaced` is made by `write(path)`. */
function dataWith(
  at: (name: string) => string,
  name: string,
  replaced: string,
  write: (path: string) => void,
): void {
  mkdirSync(at(name));
  for (const split of Object.values(DATASET_FILES)) {
    for (const file of Object.values(split)) {
      if (file !== replaced) symlinkSync(join(at('data'), file), join(at(name), file));
    }
  }
  write(join(at(name), replaced));
}

/**
 * The inputs of issue 9's findings that fit a matrix: a link to a device in a data set, inputs
 * that claim far more than they hold (a gzipped IDX of 5 000 000 blank images, a 1×49 000 000 PNG,
 * a 162-byte JPEG of 7000×7000), a model with exploded weights, a data set named Fashion-MNIST.
 */
function writeEdgeFixtures(at: (name: string) => string): void {
  dataWith(at, 'data-device', DATASET_FILES.train.images, (path) =>
    symlinkSync(at('dev-zero'), path),
  );
  dataWith(at, 'data-gz-bomb', DATASET_FILES.test.images, (path) => {
    const header = Buffer.alloc(16);
    header.writeUInt32BE(0x803, 0);
    header.writeUInt32BE(5_000_000, 4);
    header.writeUInt32BE(28, 8);
    header.writeUInt32BE(28, 12);
    writeFileSync(path, gzipSync(Buffer.concat([header, Buffer.alloc(1 << 20)])));
  });
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(49_000_000, 4);
  ihdr[8] = 8; // 8-bit grey
  writeFileSync(
    at('bomb.png'),
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      pngChunk('IHDR', ihdr),
      pngChunk('IDAT', deflateSync(Buffer.alloc(1 << 16))),
      pngChunk('IEND', new Uint8Array(0)),
    ]),
  );
  const jpegBytes = Buffer.from(
    jpeg.encode({ data: Buffer.alloc(8 * 8 * 4, 200), width: 8, height: 8 }, 50).data,
  );
  const frame = jpegBytes.indexOf(Buffer.from([0xff, 0xc0]));
  jpegBytes.writeUInt16BE(7000, frame + 5);
  jpegBytes.writeUInt16BE(7000, frame + 7);
  writeFileSync(at('claim.jpg'), jpegBytes);
  const exploded = JSON.parse(modelText()) as { weights: number[][] };
  exploded.weights[1][3] = 1e121;
  writeFileSync(at('exploded.json'), JSON.stringify(exploded));
  mkdirSync(at('fetch-target'));
  mkdirSync(at('fashion-data'));
  for (const split of Object.values(DATASET_FILES)) {
    for (const file of Object.values(split))
      copyFileSync(join(at('data'), file), join(at('fashion-data'), file));
  }
}

/**
 * An mnn temporary file (".NAME.PID-HEX.tmp"): while cases run concurrently, another case's write
 * or writability probe may hold one for a moment, so each case's snapshot leaves them out and a
 * last test checks that none is left once all have run.
 */
const TEMPORARY = /^\..+\.\d+-[0-9a-f]{6}\.tmp$/;

/**
 * Every file under `root` with its size, time and content hash: any change shows up (mnn's
 * temporaries only when `withTemporaries`).
 */
function snapshot(root: string, withTemporaries = false): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (directory: string): void => {
    for (const name of readdirSync(directory)) {
      if (!withTemporaries && TEMPORARY.test(name)) continue;
      const path = join(directory, name);
      const stats = lstatSync(path);
      if (stats.isDirectory()) {
        entries[`${path}/`] = 'dir';
        walk(path);
      } else if (!stats.isFile()) {
        // Devices and FIFOs are never read (a /dev/zero would never end): their kind must stay.
        entries[path] = `special ${stats.mode} ${stats.rdev}`;
      } else {
        const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
        entries[path] = `${stats.size} ${stats.mtimeMs} ${hash}`;
      }
    }
  };
  walk(root);
  return entries;
}

/** One bad input: the arguments ({F} stands for the fixture directory) and what must happen. */
type Case = readonly [args: string, code: 1 | 2, message: string];

const F = '{F}';
const CASES: Record<string, readonly Case[]> = {
  train: [
    [`train --data ${F}/absent`, 1, 'does not exist'],
    [`train --data ${F}/data-missing`, 1, 'has no t10k-labels-idx1-ubyte'],
    [`train --data ${F}/data-corrupt`, 1, 'not an IDX file'],
    [`train --data ${F}/data-truncated`, 1, 'file is truncated'],
    [`train --data ${F}/notes.txt`, 1, 'is a file, not a data directory'],
    // Issue 9, finding 3: networks too large to save or to train are refused before any work.
    ['train --layers 784,40000,10', 1, 'has 31.8 million parameters, over the limit of 8 million'],
    ['train --layers 784,100000,100000,10', 1, 'over the limit of 8 million'],
    [
      'train --layers 784,3000,10 --batch-size 100 --optimizer adam --validation 1000',
      1,
      "(its checkpoints hold 4 arrays of that size: the parameters, the optimizer's state and, with validation, the best so far), over the limit of 8 million",
    ],
    // Issue 9, finding 1: a device at --out stays a device.
    [`train --data ${F}/data --out ${F}/dev-null`, 1, 'it is a character device'],
    // Issue 9, finding 2: an exploding loss ends the run with the hint, and nothing is saved.
    [`train --data ${F}/data --alpha 1000 --iters 300`, 1, 'training diverged at iteration'],
    // Issue 9, finding 9: a link to a device inside a data set.
    [`train --data ${F}/data-device`, 1, 'it is a character device'],
    // Issue 9, finding 12: a digits model is not resumed on Fashion-MNIST under digit names
    // (--out in the case's own directory: its lock must not show in the shared fixtures).
    [
      `train --resume ${F}/gd-checkpoint.json --data ${F}/fashion-data --out m.json`,
      2,
      'resuming would teach it other classes under its old names',
    ],
    [
      'train --iters 10000000 --eval-every 1',
      1,
      'would make the model file up to 1280 MB, over the 200 MB model files are limited to so that they load back in memory; record the history less often (--eval-every)',
    ],
    [
      `train --layers 100,10,10 --data ${F}/data`,
      2,
      '--layers starts with 100 inputs but the images have 784 pixels',
    ],
    [`train --layers 784,10,5 --data ${F}/data`, 2, '--layers ends with 5 outputs'],
    ['train --alpha abc', 2, '--alpha must be a number'],
    [`train --data ${F}/data --out ${F}/notes.txt/model.json`, 1, 'is a file, not a directory'],
    [
      `train --data ${F}/data --out /proc/mnn-test/model.json`,
      1,
      'cannot write /proc/mnn-test/model.json',
    ],
    [`train --data ${F}/data --out ${F}/a-directory`, 1, 'it is a directory'],
    // Issue 9, finding 1: outputs that are not regular files.
    [
      `train --data ${F}/data --out ${F}/dev-null`,
      1,
      'it is a character device, not a regular file',
    ],
    [`train --data ${F}/data --out ${F}/fifo`, 1, 'it is a named pipe (FIFO), not a regular file'],
    // Finding 4: outputs that would only fail after training.
    [`train --data ${F}/data --out newdir/`, 2, 'it names a directory, not a file'],
    [`train --data ${F}/data --out ${'m'.repeat(300)}.json`, 2, 'the file name is 305 bytes long'],
    // Finding 7: a file that is not a model is never replaced without --force.
    [`train --data ${F}/data --out ${F}/notes.txt`, 2, 'exists and is not an mnn model'],
    // Finding 16: the right fetch command for a named set, a "did you mean" for a misspelt one.
    ['train --data fashion', 1, 'Fashion-MNIST is not downloaded yet'],
    ['train --data mnsit', 2, 'did you mean --data mnist?'],
    [`train --resume ${F}/absent.json`, 1, 'not found'],
    [`train --resume ${F}/not-json.json`, 1, 'is not a model file (not JSON)'],
    [`train --resume ${F}/wrong-lengths.json`, 1, 'has 100 numbers, expected 7840'],
    [`train --resume ${F}/model.json`, 1, 'has no training record, so it cannot be resumed'],
    [`train --resume ${F}/model.json --out /proc/mnn-test/m.json`, 1, 'has no training record'],
    ['train --iter 5', 2, "unknown option '--iter'"],
    ['train --batch-size 0', 2, '--batch-size must be a whole number from 1'],
    ['train --dropout 1', 2, '--dropout must be a number from 0 to below 1'],
    [`train --limit 100 --data ${F}/data`, 2, '--limit 100 is more than the 20 training samples'],
    ['train --data embedded', 2, 'the embedded 10 000 digits were replaced by the full MNIST'],
    ['train --epochs 5 --iters 10', 2, '--epochs and --iters both set how long to train'],
    ['train --lr 0.1 --alpha 0.2', 2, '--lr is another name for --alpha; give one of them'],
    ['train --momentum 0.5', 2, '--momentum applies to --optimizer momentum only'],
    ['train --beta2 0.9', 2, '--beta2 applies to --optimizer adam only'],
    ['train --optimizer momentum --epsilon 1e-7', 2, '--epsilon applies to --optimizer adam only'],
    ['train --schedule step', 2, '--schedule step needs --step-every K'],
    ['train --gamma 0.5', 2, '--gamma applies to --schedule step only'],
    ['train --lr-min 0.01', 2, '--lr-min applies to --schedule cosine only'],
    [
      `train --schedule cosine --lr-min 0.5 --data ${F}/data`,
      2,
      'final learning rate must be from 0 to α = 0.1, got 0.5',
    ],
    [
      `train --warmup 50 --iters 10 --data ${F}/data`,
      2,
      "warm-up must be a whole number of steps from 0 to the run's 10",
    ],
    [
      `train --dropout 0.5 --layers 784,10 --data ${F}/data`,
      2,
      'dropout applies to hidden layers, and 784-10 has none',
    ],
    [
      `train --validation 20 --data ${F}/data`,
      2,
      'a validation set of 20 samples leaves none of the 20 training samples to train on',
    ],
    [
      `train --early-stop 3 --data ${F}/data`,
      2,
      'early stopping watches the validation set, and there is none',
    ],
    [
      `train --resume ${F}/adam-finished.json --epochs 20`,
      2,
      "is a finished model, saved without the adam optimizer's state (only checkpoints keep it)",
    ],
    [
      `train --resume ${F}/embedded.json`,
      2,
      'was trained on the embedded 8 000 digits, which mnn no longer ships; continue it on the full MNIST shipped with mnn with --data packaged',
    ],
    [
      `train --resume ${F}/gd-checkpoint.json --batch-size 64`,
      2,
      '--batch-size cannot change when resuming',
    ],
    [
      `train --resume ${F}/gd-checkpoint.json --optimizer adam`,
      2,
      '--optimizer cannot change when resuming',
    ],
    ['train extra-argument', 2, 'too many arguments'],
  ],
  eval: [
    [`eval ${F}/absent.json`, 1, 'not found'],
    ['eval', 1, 'model file models/model.json not found'],
    [`eval ${F}/not-json.json`, 1, 'is not a model file (not JSON)'],
    [`eval ${F}/wrong-lengths.json`, 1, 'has 100 numbers, expected 7840'],
    [`eval ${F}/model.json --data ${F}/data-missing`, 1, 'has no t10k-labels-idx1-ubyte'],
    [`eval ${F}/model.json --data ${F}/absent`, 1, 'does not exist'],
    [`eval ${F}/dev-null`, 1, 'it is a character device'],
    // Issue 9, findings 2, 9 and 10: exploded weights, an endless device, a gzip bomb.
    [`eval ${F}/exploded.json`, 1, "far beyond a working network's (at most 1000000)"],
    [`eval ${F}/dev-zero`, 1, 'it is a character device'],
    [`eval ${F}/model.json --data ${F}/data-gz-bomb`, 1, 'over the limit'],
    [`eval ${F}/escapes.json`, 1, '"labels"[3] contains control characters'],
    [`eval ${F}/model.json --data ${F}/data-truncated --split train`, 1, 'file is truncated'],
  ],
  predict: [
    ['predict', 2, "missing required argument 'images'"],
    [`predict ${F}/digit.png`, 1, 'model file models/model.json not found'],
    [`predict ${F}/absent.png --model ${F}/model.json`, 1, 'image {F}/absent.png not found'],
    [`predict ${F}/notes.txt --model ${F}/model.json`, 1, 'is not a PNG or JPEG image'],
    [`predict ${F}/data --model ${F}/model.json`, 1, `${F}/data`],
    // Issue 9, finding 9: special files are refused wherever a file is read.
    [`predict ${F}/dev-null --model ${F}/model.json`, 1, 'it is a character device'],
    [`predict ${F}/dev-zero --model ${F}/model.json`, 1, 'it is a character device'],
    [`predict ${F}/bomb.png --model ${F}/model.json`, 1, 'each side may be at most 16384'],
    [`predict ${F}/claim.jpg --model ${F}/model.json`, 1, '7000×7000'],
    [`predict ${F}/digit.png --model ${F}/exploded.json`, 1, "far beyond a working network's"],
    [`predict ${F}/fifo --model ${F}/model.json`, 1, 'it is a named pipe (FIFO)'],
    [`predict ${F}/digit.png --model ${F}/fifo`, 1, 'it is a named pipe (FIFO)'],
    [`predict ${F}/digit.png --model ${F}/not-json.json`, 1, 'is not a model file (not JSON)'],
    [`predict ${F}/digit.png --model ${F}/wrong-lengths.json`, 1, 'has 100 numbers'],
  ],
  fetch: [
    // Issue 9, finding 8: an overall deadline, and no reading of a FIFO at a target name.
    ['fetch --deadline 0', 2, '--deadline must be a number greater than 0'],
    [
      `fetch --dir ${F}/fifo-data --mirror http://127.0.0.1:9/`,
      1,
      'it is a named pipe (FIFO), not a regular file',
    ],
    ['fetch --mirror not-a-url', 2, '--mirror must be an http:// or https:// URL'],
    // Issue 9, finding 16: a password in --mirror is never shown (see NEVER_SHOWN).
    [
      `fetch --json --dir ${F}/fetch-target --timeout 1 --mirror http://user:secret@127.0.0.1:9/`,
      1,
      'http://user:***@127.0.0.1:9/',
    ],
    [`fetch --dir ${F}/notes.txt/mnist --mirror http://127.0.0.1:9/`, 1, `${F}/notes.txt`],
  ],
  gradcheck: [['gradcheck --sample 4', 2, "unknown option '--sample'"]],
  '(no command)': [['trian', 2, "unknown command 'trian'"]],
};

/** Text that must never appear in a case's output (a password given in a URL). */
const NEVER_SHOWN: Record<string, string> = {
  [`fetch --json --dir ${F}/fetch-target --timeout 1 --mirror http://user:secret@127.0.0.1:9/`]:
    'secret',
};

/** Commander's "did you mean" hints that must accompany some of the usage errors. */
const SUGGESTIONS: Record<string, string> = {
  'train --iter 5': '(Did you mean --iters?)',
  'gradcheck --sample 4': '(Did you mean --samples?)',
  trian: '(Did you mean train?)',
};

describe('CLI error matrix: exit code, a short message without a stack trace, no file touched', () => {
  for (const [command, cases] of Object.entries(CASES)) {
    describe(`mnn ${command}`, () => {
      it.concurrent.each(cases)('mnn %s → exit %i: %s', async (args, code, message) => {
        const cwd = mkdtempSync(join(tmpdir(), 'mnn-matrix-cwd-'));
        try {
          const before = { cwd: snapshot(cwd), fixtures: snapshot(fixtures) };
          const argv = args.split(' ').map((arg) => arg.replaceAll(F, fixtures));
          const result = await runCliWithin(30_000, argv, cwd, {
            MNN_FETCH_MIRRORS_ONLY: '1',
            HTTP_PROXY: '',
            HTTPS_PROXY: '',
            http_proxy: '',
            https_proxy: '',
          });
          const stderr = result.stderr.trim();
          expect({ code: result.code, stderr }).toMatchObject({ code });
          expect(stderr).toContain(message.replaceAll(F, fixtures));
          expect(stderr).not.toMatch(/^\s+at /m);
          // Issue 9, finding 16: no raw error codes, no terminal escape sequences.
          expect(stderr).not.toMatch(
            /\bE(NOENT|ISDIR|NOTDIR|ACCES|PERM|NOSPC|PIPE|IO|ROFS|LOOP)\b/,
          );
          expect(stderr).not.toContain('\u001b');
          expect(stderr).not.toContain('internal error');
          expect(stderr.split('\n').length).toBeLessThanOrEqual(3);
          if (SUGGESTIONS[args]) expect(stderr).toContain(SUGGESTIONS[args]);
          if (NEVER_SHOWN[args]) expect(result.stdout + stderr).not.toContain(NEVER_SHOWN[args]);
          expect(snapshot(cwd)).toEqual(before.cwd);
          expect(snapshot(fixtures)).toEqual(before.fixtures);
        } finally {
          rmSync(cwd, { recursive: true, force: true });
        }
      });
    });
  }

  it('leaves no temporary file in the fixtures once every case has run', () => {
    const paths = Object.keys(snapshot(fixtures, true));
    expect(paths.filter((path) => TEMPORARY.test(basename(path)))).toEqual([]);
  });
});
