import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { MnnError } from '../errors.js';
import { assertWritable, writeFilesAtomic } from '../io/atomic-write.js';
import type { Model } from '../model/model.js';
import { EXPORT_FILE_NAMES, type ExportFormat, type ExportOptions } from './formats.js';
import { exportOnnx, isMnnOnnx } from './onnx.js';
import { exportTfjs, mnnTfjsWeightFiles } from './tfjs.js';

/** An encoded model ready to write: path → contents, the main file (the one to load) first. */
export interface ModelExport {
  readonly format: ExportFormat;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** Bytes read from an existing ONNX file to tell whether mnn wrote it (producer_name is near the start). */
const ONNX_HEAD_BYTES = 256;
/** A model.json mnn writes is a few kilobytes; a larger file there is someone else's. */
const MAX_TFJS_MODEL_JSON_BYTES = 1024 ** 2;

/** The weights file of a TF.js model.json: `web/digits.json` → `digits.weights.bin`, beside it. */
export function tfjsWeightsFileName(modelJsonPath: string): string {
  if (!modelJsonPath.endsWith('.json') || basename(modelJsonPath) === '.json') {
    throw new MnnError(
      `a TF.js model is a .json file, and ${modelJsonPath} does not end in .json`,
      {
        kind: 'usage',
        option: 'out',
        hint: 'give the path of its model.json, e.g. web/model.json (the weights go beside it)',
      },
    );
  }
  return `${basename(modelJsonPath).slice(0, -'.json'.length)}.weights.bin`;
}

/**
 * Encodes a model for another runtime, ready to write: ONNX as one file at `outputPath`; TF.js as
 * model.json at `outputPath` (which must end in .json) plus its float32 weights beside it.
 */
export function exportModel(
  model: Model,
  format: ExportFormat,
  outputPath: string,
  options: ExportOptions,
): ModelExport {
  if (format === 'onnx') {
    return { format, files: new Map([[outputPath, exportOnnx(model, options)]]) };
  }
  const weightsFileName = tfjsWeightsFileName(outputPath);
  const tfjs = exportTfjs(model, { ...options, weightsFileName });
  const files = new Map([
    [outputPath, new TextEncoder().encode(tfjs.modelJson)],
    [join(dirname(outputPath), weightsFileName), tfjs.weights],
  ]);
  return { format, files };
}

/** The first bytes of a file (at most `count`). */
function readHead(path: string, count: number): Uint8Array {
  const head = new Uint8Array(count);
  const file = openSync(path, 'r');
  try {
    return head.subarray(0, readSync(file, head, 0, count, 0));
  } finally {
    closeSync(file);
  }
}

/**
 * The weights files (as absolute paths) a TF.js model.json at `path` names, when mnn wrote it;
 * undefined for any other file.
 */
function mnnTfjsWeightPaths(path: string): string[] | undefined {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats?.isFile() || stats.size > MAX_TFJS_MODEL_JSON_BYTES) return undefined;
  const names = mnnTfjsWeightFiles(new TextDecoder().decode(readHead(path, stats.size)));
  return names?.map((name) => resolve(dirname(path), name));
}

/** Whether the existing file at `path` was written by an earlier mnn export of the same format. */
function isPreviousExport(path: string, modelExport: ModelExport): boolean {
  if (!statSync(path).isFile()) return false; // a FIFO or device is nobody's export
  if (modelExport.format === 'onnx') return isMnnOnnx(readHead(path, ONNX_HEAD_BYTES));
  const [modelJson] = modelExport.files.keys();
  const weights = mnnTfjsWeightPaths(modelJson);
  return path === modelJson ? weights !== undefined : (weights ?? []).includes(resolve(path));
}

/** Whether `path` names an existing directory (false when a part of it is a file). */
function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/**
 * The paths of an export where a file already exists that no earlier mnn export of the same format
 * wrote: replacing it could destroy someone's work, so the caller should ask first. (Directories
 * are not listed: writeExport refuses them whatever the caller decides.)
 */
export function foreignFiles(modelExport: ModelExport): string[] {
  return [...modelExport.files.keys()].filter(
    (path) => existsSync(path) && !isDirectory(path) && !isPreviousExport(path, modelExport),
  );
}

/**
 * Writes an export: every file, or (when one cannot be written) none changed and nothing partial
 * left. Checks first that no path is a directory and that every directory can be written.
 */
export function writeExport(modelExport: ModelExport): void {
  const [mainFile] = modelExport.files.keys();
  for (const path of modelExport.files.keys()) {
    if (isDirectory(path)) {
      const hint =
        path === mainFile
          ? `give a file name such as ${join(path, EXPORT_FILE_NAMES[modelExport.format])}`
          : 'move it away or choose another output path';
      throw new MnnError(`cannot write ${path}: it is a directory`, { kind: 'io', hint });
    }
    assertWritable(path);
  }
  writeFilesAtomic(modelExport.files);
}
