import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  exportModel,
  foreignFiles,
  tfjsWeightsFileName,
  writeExport,
} from '../../src/export/export.js';
import { exportOnnx } from '../../src/export/onnx.js';
import type { Model } from '../../src/model/model.js';
import { trainSmallModel } from '../helpers/trained-model.js';

let model: Model;
const options = { version: '1.2.3' };

beforeAll(async () => {
  model = await trainSmallModel([784, 8, 10], 2);
});

/** A fresh empty directory. */
function workspace(): string {
  return mkdtempSync(join(tmpdir(), 'mnn-export-'));
}

describe('exportModel', () => {
  it('puts the TF.js weights beside model.json, named after it', () => {
    const directory = workspace();
    const tfjs = exportModel(model, 'tfjs', join(directory, 'digits.json'), options);
    expect([...tfjs.files.keys()]).toEqual([
      join(directory, 'digits.json'),
      join(directory, 'digits.weights.bin'),
    ]);
    // Kernels (W⁽ℓ⁾)ᵀ and biases b⁽ℓ⁾ as float32: 4 bytes per parameter.
    const parameters = 784 * 8 + 8 + 8 * 10 + 10;
    expect(tfjs.files.get(join(directory, 'digits.weights.bin'))?.length).toBe(4 * parameters);
  });

  it('stores kernel[j][i] = w_ij (the transpose of W) in the TF.js weights', () => {
    const tfjs = exportModel(model, 'tfjs', 'm.json', options);
    const weights = new Float32Array(
      (tfjs.files.get('m.weights.bin') as Uint8Array).slice().buffer,
    );
    const W1 = model.parameters.W[0]; // 8 × 784, row-major
    for (const [i, j] of [
      [0, 0],
      [3, 200],
      [7, 783],
    ]) {
      expect(weights[j * 8 + i]).toBe(Math.fround(W1[i * 784 + j]));
    }
  });

  it('refuses a TF.js path that is not a .json file, as a usage error', () => {
    expect(() => tfjsWeightsFileName('web/model.bin')).toThrowError(/does not end in \.json/);
    expect(() => exportModel(model, 'tfjs', 'web/model', options)).toThrowError(
      expect.objectContaining({ kind: 'usage', hint: expect.stringMatching(/web\/model\.json/) }),
    );
    expect(tfjsWeightsFileName('web/model.json')).toBe('model.weights.bin');
  });

  it('refuses weights too large for float32 instead of writing infinities', () => {
    const huge: Model = {
      ...model,
      parameters: {
        ...model.parameters,
        b: [new Float64Array(8).fill(1e39), model.parameters.b[1]],
      },
    };
    expect(() => exportOnnx(huge, options)).toThrowError(
      expect.objectContaining({
        message: 'b1[0] is 1e+39, too large for float32',
        kind: 'limit',
      }),
    );
  });
});

describe('foreignFiles and writeExport', () => {
  it('replaces its own earlier exports but reports files it did not write', () => {
    const directory = workspace();
    const onnx = exportModel(model, 'onnx', join(directory, 'model.onnx'), options);
    expect(foreignFiles(onnx)).toEqual([]);
    writeExport(onnx);
    expect(foreignFiles(onnx)).toEqual([]);
    writeFileSync(join(directory, 'model.onnx'), 'a file someone else wrote');
    expect(foreignFiles(onnx)).toEqual([join(directory, 'model.onnx')]);
  });

  it('knows the TF.js weights file of its own model.json, and no other', () => {
    const directory = workspace();
    const tfjs = exportModel(model, 'tfjs', join(directory, 'model.json'), options);
    const [modelJson, weights] = tfjs.files.keys();
    writeFileSync(weights, 'stray weights');
    expect(foreignFiles(tfjs)).toEqual([weights]);
    writeExport(tfjs);
    expect(foreignFiles(tfjs)).toEqual([]);
    writeFileSync(modelJson, JSON.stringify({ format: 'layers-model', generatedBy: 'keras' }));
    expect(foreignFiles(tfjs)).toEqual([modelJson, weights]);
    // An ONNX export does not take a TF.js file (or any other) for its own.
    const onnxOverJson = exportModel(model, 'onnx', modelJson, options);
    expect(foreignFiles(onnxOverJson)).toEqual([modelJson]);
  });

  it('writes nothing when one of the files cannot be written', () => {
    const directory = workspace();
    mkdirSync(join(directory, 'model.weights.bin'));
    const tfjs = exportModel(model, 'tfjs', join(directory, 'model.json'), options);
    expect(() => writeExport(tfjs)).toThrowError(/model\.weights\.bin: it is a directory/);
    expect(readdirSync(directory)).toEqual(['model.weights.bin']);
  });

  it('suggests a file name when the output path is a directory', () => {
    const directory = workspace();
    const onnx = exportModel(model, 'onnx', directory, options);
    expect(() => writeExport(onnx)).toThrowError(
      expect.objectContaining({
        message: `cannot write ${directory}: it is a directory`,
        hint: `give a file name such as ${join(directory, 'model.onnx')}`,
      }),
    );
  });

  it('writes exactly the bytes exportModel made', () => {
    const directory = workspace();
    const tfjs = exportModel(model, 'tfjs', join(directory, 'sub', 'model.json'), options);
    writeExport(tfjs);
    for (const [path, bytes] of tfjs.files) expect(readFileSync(path)).toEqual(Buffer.from(bytes));
    expect(readdirSync(join(directory, 'sub')).sort()).toEqual(['model.json', 'model.weights.bin']);
  });
});
