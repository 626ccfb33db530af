/** The formats other runtimes load: ONNX (one file) and the TensorFlow.js layers format. */
export const EXPORT_FORMATS = ['onnx', 'tfjs'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** The usual name of each format's main file (the one a runtime is pointed at). */
export const EXPORT_FILE_NAMES: Readonly<Record<ExportFormat, string>> = {
  onnx: 'model.onnx',
  tfjs: 'model.json',
};

/** What an exporter records about itself in the files it writes. */
export interface ExportOptions {
  /** The version of mnn writing the file, e.g. "0.1.0". */
  readonly version: string;
}
