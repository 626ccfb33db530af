import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel, writeExport } from '../../src/export/export.js';
import type { Model } from '../../src/model/model.js';
import { packagedDigits, trainSmallModel } from '../helpers/trained-model.js';
import { digitInputs, maxAbsoluteDifference, mnnAnswers, runtimeAnswers } from './agreement.js';

const DIGITS = 100;
const data = packagedDigits();
let workspace: string;
let server: Server;
let baseUrl: string;

/** Serves the files of `workspace` (flat names only) over HTTP on 127.0.0.1, as a web page would load them. */
function serveWorkspace(): Promise<void> {
  server = createServer((request, response) => {
    try {
      response.end(readFileSync(join(workspace, basename(request.url ?? ''))));
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'mnn-tfjs-'));
  await tf.setBackend('cpu');
  await serveWorkspace();
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(workspace, { recursive: true, force: true });
});

describe.each([[[784, 32, 10]], [[784, 16, 16, 10]]])('TF.js export of %j', (layerSizes) => {
  const name = layerSizes.join('-');
  let model: Model;
  let loaded: LayersModel;

  beforeAll(async () => {
    model = await trainSmallModel(layerSizes, 40, data);
    writeExport(exportModel(model, 'tfjs', join(workspace, `${name}.json`), { version: '9.8.7' }));
    loaded = await loadLayersModel(`${baseUrl}/${name}.json`);
  });

  it('loads with tf.loadLayersModel over HTTP and gives mnn’s probabilities to 1e-6 on 100 real test digits', async () => {
    const { A0, rows } = digitInputs(data.test, DIGITS, model);
    const output = loaded.predict(tf.tensor2d(rows, [DIGITS, 784])) as tf.Tensor;
    expect(output.shape).toEqual([DIGITS, 10]);
    const tfjs = runtimeAnswers(await output.data(), 10);
    const mnn = mnnAnswers(model, A0);
    expect(maxAbsoluteDifference(tfjs.AL.data, mnn.AL.data)).toBeLessThan(1e-6);
    expect(tfjs.predictions).toEqual(mnn.predictions);
    expect(new Set(mnn.predictions).size).toBeGreaterThan(5);
  });

  it('is a Sequential of Dense layers (ReLU, softmax) with the labels in userDefinedMetadata', () => {
    const dense = loaded.layers.map((layer) => layer.getConfig());
    expect(dense.map((config) => config.units)).toEqual(layerSizes.slice(1));
    expect(dense.map((config) => config.activation)).toEqual(
      layerSizes.slice(1).map((_, i) => (i === layerSizes.length - 2 ? 'softmax' : 'relu')),
    );
    expect(loaded.inputs[0].shape).toEqual([null, 784]);
    expect(loaded.getUserDefinedMetadata()).toMatchObject({ labels: model.labels });
    const manifest = JSON.parse(readFileSync(join(workspace, `${name}.json`), 'utf8'));
    expect(manifest).toMatchObject({ format: 'layers-model', generatedBy: 'mnn 9.8.7' });
    expect(manifest.weightsManifest[0].paths).toEqual([`${name}.weights.bin`]);
  });
});
