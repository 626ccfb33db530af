import protobuf from 'protobufjs/light.js';
import type { Model } from '../model/model.js';
import { layerActivations } from '../model/model.js';
import { float32Bytes } from './float32.js';
import type { ExportOptions } from './formats.js';
import { ATTRIBUTE_INT, ONNX_FLOAT, onnxModelProto } from './onnx-proto.js';

/** The ONNX operator set of exported graphs: Gemm, Relu and Softmax as defined in opset 13. */
export const ONNX_OPSET = 13;
/** The IR version that came with opset 13 (ONNX 1.8). */
export const ONNX_IR_VERSION = 7;
/** producer_name of every ONNX file mnn writes (how a later export recognizes its own files). */
export const ONNX_PRODUCER = 'mnn';
/** Names of the graph's input (A⁽⁰⁾, one row per sample) and output (A⁽ᴸ⁾, one row per sample). */
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'probabilities';
/** The symbolic batch dimension: any number of samples, 1 included. */
const BATCH = 'N';

/** The plain objects protobufjs encodes (field names as in onnx.proto). */
type Message = Record<string, unknown>;

/** A float32 initializer named `name` of shape `dims` (row-major, as ONNX requires). */
function floatTensor(name: string, dims: readonly number[], values: Float64Array): Message {
  return { name, dims, data_type: ONNX_FLOAT, raw_data: float32Bytes(values, name) };
}

/** A float tensor's name and shape, for the graph's inputs and outputs. */
function floatValue(name: string, shape: readonly (number | string)[], doc: string): Message {
  const dim = shape.map((size) =>
    typeof size === 'number' ? { dim_value: size } : { dim_param: size },
  );
  return {
    name,
    doc_string: doc,
    type: { tensor_type: { elem_type: ONNX_FLOAT, shape: { dim } } },
  };
}

/** An integer attribute of a node. */
function intAttribute(name: string, value: number): Message {
  return { name, type: ATTRIBUTE_INT, i: value };
}

/**
 * The nodes and initializers of layer ℓ. ONNX keeps one sample per row, so the paper's
 * Z⁽ℓ⁾ = W⁽ℓ⁾ A⁽ℓ⁻¹⁾ + b⁽ℓ⁾ (one sample per column) becomes Z = A · (W⁽ℓ⁾)ᵀ + b⁽ℓ⁾: a Gemm with
 * transB = 1, so W⁽ℓ⁾ is stored as it is, n_ℓ × n_{ℓ−1} row-major.
 */
function layerGraph(model: Model, l: number, input: string, output: string) {
  const { layerSizes, W, b } = model.parameters;
  const activation = layerActivations(layerSizes.length - 1)[l - 1];
  const initializer = [
    floatTensor(`W${l}`, [layerSizes[l], layerSizes[l - 1]], W[l - 1]),
    floatTensor(`b${l}`, [layerSizes[l]], b[l - 1]),
  ];
  const gemm = {
    name: `layer${l}`,
    op_type: 'Gemm',
    input: [input, `W${l}`, `b${l}`],
    output: [`Z${l}`],
    attribute: [intAttribute('transB', 1)],
  };
  // A⁽ℓ⁾ = ReLU(Z⁽ℓ⁾) for hidden layers, softmax over each sample's row at the output.
  const activationNode =
    activation === 'softmax'
      ? {
          op_type: 'Softmax',
          input: [`Z${l}`],
          output: [output],
          attribute: [intAttribute('axis', 1)],
        }
      : { op_type: 'Relu', input: [`Z${l}`], output: [output] };
  return { initializer, node: [gemm, { name: `${activation}${l}`, ...activationNode }] };
}

/** Facts a user of the file needs (labels, preprocessing) and where it came from, as key/value text. */
function metadata(model: Model): Message[] {
  const { input, training } = model;
  const entries: [string, string][] = [
    ['labels', JSON.stringify(model.labels)],
    ['input_width', String(input.width)],
    ['input_height', String(input.height)],
    ['input_scale', String(input.scale)],
    ['layers', model.parameters.layerSizes.join('-')],
    ['created_by', model.createdBy],
    ['created_at', model.createdAt],
  ];
  if (training) entries.push(['test_accuracy', String(training.testAccuracy)]);
  return entries.map(([key, value]) => ({ key, value }));
}

/**
 * The graph's input contract in words: the exported network takes A⁽⁰⁾, pixels already divided
 * by the model's input scale, not raw bytes.
 */
function inputDescription(model: Model): string {
  const { width, height, scale } = model.input;
  return (
    `float32 [N, ${width * height}]: N images of ${width}×${height} pixels, row by row, each ` +
    `pixel divided by ${scale} (0 = background, 1 = full ink, light ink on dark as in MNIST)`
  );
}

/**
 * Encodes a model as an ONNX file: for each layer a Gemm (+ Relu), then Softmax, with float32
 * weights. Input "input" [N, n₀] is A⁽⁰⁾ (pixel / input.scale, so in [0, 1]); output
 * "probabilities" [N, n_L] is A⁽ᴸ⁾, one row per sample; labels are in metadata_props.
 */
export function exportOnnx(model: Model, options: ExportOptions): Uint8Array {
  const { layerSizes } = model.parameters;
  const L = layerSizes.length - 1;
  const layers = Array.from({ length: L }, (_, i) =>
    layerGraph(
      model,
      i + 1,
      i === 0 ? ONNX_INPUT : `A${i}`,
      i + 1 === L ? ONNX_OUTPUT : `A${i + 1}`,
    ),
  );
  const graph = {
    name: `mnn_${layerSizes.join('_')}`,
    doc_string: `multilayer perceptron ${layerSizes.join('-')} trained with mnn: ReLU hidden layers, softmax output`,
    node: layers.flatMap((layer) => layer.node),
    initializer: layers.flatMap((layer) => layer.initializer),
    input: [floatValue(ONNX_INPUT, [BATCH, layerSizes[0]], inputDescription(model))],
    output: [
      floatValue(
        ONNX_OUTPUT,
        [BATCH, layerSizes[L]],
        `float32 [N, ${layerSizes[L]}]: the probability of each class (labels in metadata "labels")`,
      ),
    ],
  };
  const type = onnxModelProto();
  const message = type.fromObject({
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: ONNX_PRODUCER,
    producer_version: options.version,
    model_version: 1,
    doc_string: inputDescription(model),
    graph,
    metadata_props: metadata(model),
  });
  return type.encode(message).finish();
}

/**
 * Whether the first bytes of a file are those of an ONNX model written by mnn: producer_name
 * (field 2) comes second on the wire, so a short head is enough and a foreign file is not read
 * whole. Anything that does not parse as protobuf is simply not mnn's.
 */
export function isMnnOnnx(head: Uint8Array): boolean {
  const reader = protobuf.Reader.create(head);
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const field = tag >>> 3;
      const wireType = tag & 7;
      if (field === 2 && wireType === 2) return reader.string() === ONNX_PRODUCER;
      if (field !== 1) return false;
      reader.skipType(wireType);
    }
  } catch {
    return false;
  }
  return false;
}
