import type { Model } from '../model/model.js';
import { layerActivations } from '../model/model.js';
import { float32Bytes } from './float32.js';
import type { ExportOptions } from './formats.js';

/** The "format" of a TensorFlow.js layers model.json. */
export const TFJS_FORMAT = 'layers-model';
/** How model.json's "generatedBy" starts when mnn wrote it (how a later export recognizes it). */
export const TFJS_GENERATED_BY = 'mnn ';

/** A TensorFlow.js layers model: model.json's text and the weights file it names. */
export interface TfjsExport {
  readonly modelJson: string;
  readonly weightsFileName: string;
  readonly weights: Uint8Array;
}

/** The float32 weights of one tensor as model.json's weightsManifest lists them. */
interface WeightSpec {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: 'float32';
}

/**
 * The kernel of a Dense layer, n_{ℓ−1} × n_ℓ (inputs × units): TF.js keeps one sample per row
 * and computes A · kernel + bias, so the kernel is (W⁽ℓ⁾)ᵀ.
 */
function denseKernel(W: Float64Array, rows: number, cols: number): Float64Array {
  const kernel = new Float64Array(W.length);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) kernel[j * rows + i] = W[i * cols + j]; // kernel[j][i] = w_ij
  }
  return kernel;
}

/** The Dense layers of a Keras-style Sequential topology, ReLU hidden and softmax output. */
function sequentialTopology(model: Model): object {
  const { layerSizes } = model.parameters;
  const activations = layerActivations(layerSizes.length - 1);
  const layers = activations.map((activation, index) => ({
    class_name: 'Dense',
    config: {
      name: `dense${index + 1}`,
      units: layerSizes[index + 1],
      activation,
      use_bias: true,
      dtype: 'float32',
      trainable: true,
      ...(index === 0 ? { batch_input_shape: [null, layerSizes[0]] } : {}),
    },
  }));
  return {
    class_name: 'Sequential',
    config: { name: `mnn_${layerSizes.join('_')}`, layers },
    backend: 'tensor_flow.js',
  };
}

/**
 * Encodes a model in the TensorFlow.js layers format: a Sequential of Dense layers in model.json
 * and their float32 weights (kernel (W⁽ℓ⁾)ᵀ, then bias b⁽ℓ⁾, layer by layer) in `weightsFileName`,
 * which model.json names relative to itself. The model takes A⁽⁰⁾ (pixel / input.scale, so in
 * [0, 1]) as [N, n₀] and returns class probabilities [N, n_L]; labels are in userDefinedMetadata.
 */
export function exportTfjs(
  model: Model,
  options: ExportOptions & { readonly weightsFileName: string },
): TfjsExport {
  const { layerSizes, W, b } = model.parameters;
  const specs: WeightSpec[] = [];
  const parts: Uint8Array[] = [];
  for (let l = 1; l < layerSizes.length; l++) {
    const [rows, cols] = [layerSizes[l], layerSizes[l - 1]];
    specs.push({ name: `dense${l}/kernel`, shape: [cols, rows], dtype: 'float32' });
    parts.push(float32Bytes(denseKernel(W[l - 1], rows, cols), `W${l}`));
    specs.push({ name: `dense${l}/bias`, shape: [rows], dtype: 'float32' });
    parts.push(float32Bytes(b[l - 1], `b${l}`));
  }
  const document = {
    format: TFJS_FORMAT,
    generatedBy: `${TFJS_GENERATED_BY}${options.version}`,
    convertedBy: null,
    modelTopology: sequentialTopology(model),
    weightsManifest: [{ paths: [options.weightsFileName], weights: specs }],
    userDefinedMetadata: {
      labels: model.labels,
      input: model.input,
      createdBy: model.createdBy,
      createdAt: model.createdAt,
    },
  };
  return {
    modelJson: `${JSON.stringify(document)}\n`,
    weightsFileName: options.weightsFileName,
    weights: concatenate(parts),
  };
}

/** The bytes of several arrays, one after the other. */
function concatenate(parts: readonly Uint8Array[]): Uint8Array {
  const bytes = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

/** The weight files a model.json written by mnn names, or undefined when mnn did not write it. */
export function mnnTfjsWeightFiles(modelJson: string): string[] | undefined {
  let document: unknown;
  try {
    document = JSON.parse(modelJson);
  } catch {
    return undefined;
  }
  const { format, generatedBy, weightsManifest } = (document ?? {}) as Record<string, unknown>;
  if (format !== TFJS_FORMAT || typeof generatedBy !== 'string') return undefined;
  if (!generatedBy.startsWith(TFJS_GENERATED_BY) || !Array.isArray(weightsManifest))
    return undefined;
  return weightsManifest.flatMap((group: { paths?: unknown }) =>
    Array.isArray(group?.paths) ? group.paths.filter((path) => typeof path === 'string') : [],
  );
}
