import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../src/model/model.js';
import { exportOnnx, isMnnOnnx, ONNX_IR_VERSION, ONNX_OPSET } from '../../src/export/onnx.js';
import { onnxModelProto } from '../../src/export/onnx-proto.js';
import { packagedDigits, trainSmallModel } from '../helpers/trained-model.js';
import { digitInputs, maxAbsoluteDifference, mnnAnswers, runtimeAnswers } from './agreement.js';

// onnxruntime-web's WebAssembly backend, in Node: one thread (no workers), and its .wasm files
// taken from the installed package, never from the network.
ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = `${dirname(createRequire(import.meta.url).resolve('onnxruntime-web'))}/`;

const DIGITS = 100;
const data = packagedDigits();

/** The plain-object form of an exported file, decoded with our own onnx.proto subset. */
function decodeOnnx(bytes: Uint8Array): Record<string, unknown> & {
  graph: { node: { op_type: string }[]; input: unknown[]; output: unknown[] };
  metadata_props: { key: string; value: string }[];
} {
  const type = onnxModelProto();
  return type.toObject(type.decode(bytes), { longs: Number }) as ReturnType<typeof decodeOnnx>;
}

describe.each([[[784, 32, 10]], [[784, 16, 16, 10]]])('ONNX export of %j', (layerSizes) => {
  let model: Model;
  let bytes: Uint8Array;
  let session: ort.InferenceSession;

  beforeAll(async () => {
    model = await trainSmallModel(layerSizes, 40, data);
    bytes = exportOnnx(model, { version: '9.8.7' });
    session = await ort.InferenceSession.create(bytes);
  });

  it('runs in onnxruntime-web and gives mnn’s probabilities to 1e-6 on 100 real test digits', async () => {
    const { A0, rows } = digitInputs(data.test, DIGITS, model);
    const feeds = { input: new ort.Tensor('float32', rows, [DIGITS, 784]) };
    const output = (await session.run(feeds)).probabilities;
    expect(output.dims).toEqual([DIGITS, 10]);
    const onnx = runtimeAnswers(output.data as Float32Array, 10);
    const mnn = mnnAnswers(model, A0);
    expect(maxAbsoluteDifference(onnx.AL.data, mnn.AL.data)).toBeLessThan(1e-6);
    expect(onnx.predictions).toEqual(mnn.predictions);
    // A trained network tells digits apart: agreement on argmax is not agreement on a constant.
    expect(new Set(mnn.predictions).size).toBeGreaterThan(5);
  });

  it('takes a single 1×784 image (the batch dimension is symbolic)', async () => {
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['probabilities']);
    const { A0, rows } = digitInputs(data.test, 1, model);
    const output = await session.run({ input: new ort.Tensor('float32', rows, [1, 784]) });
    const onnx = runtimeAnswers(output.probabilities.data as Float32Array, 10);
    expect(maxAbsoluteDifference(onnx.AL.data, mnnAnswers(model, A0).AL.data)).toBeLessThan(1e-6);
  });

  it('is Gemm (+ Relu) per layer then Softmax, opset 13, with labels in metadata_props', () => {
    const decoded = decodeOnnx(bytes);
    const layers = layerSizes.length - 1;
    const expected = Array.from({ length: layers }, (_, i) =>
      i === layers - 1 ? ['Gemm', 'Softmax'] : ['Gemm', 'Relu'],
    ).flat();
    expect(decoded.graph.node.map((node) => node.op_type)).toEqual(expected);
    expect(decoded).toMatchObject({
      ir_version: ONNX_IR_VERSION,
      opset_import: [{ version: ONNX_OPSET }],
      producer_name: 'mnn',
      producer_version: '9.8.7',
    });
    const metadata = Object.fromEntries(decoded.metadata_props.map((p) => [p.key, p.value]));
    expect(JSON.parse(metadata.labels)).toEqual(model.labels);
    expect(metadata).toMatchObject({ input_scale: '255', layers: layerSizes.join('-') });
    expect(isMnnOnnx(bytes.subarray(0, 64))).toBe(true);
  });
});

describe('isMnnOnnx', () => {
  it('tells files mnn wrote from other ONNX files, JSON and noise', async () => {
    const model = await trainSmallModel([784, 10], 1, data);
    const type = onnxModelProto();
    const foreign = type.encode(type.fromObject({ ir_version: 7, producer_name: 'pytorch' }));
    expect(isMnnOnnx(foreign.finish())).toBe(false);
    expect(isMnnOnnx(new TextEncoder().encode('{"format": "mnn-model"}'))).toBe(false);
    expect(isMnnOnnx(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff))).toBe(false);
    expect(isMnnOnnx(new Uint8Array(0))).toBe(false);
    expect(isMnnOnnx(exportOnnx(model, { version: '1' }))).toBe(true);
  });
});
