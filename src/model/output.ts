import { tmpdir } from 'node:os';
import { basename, dirname, extname, join } from 'node:path';
import { MnnError } from '../errors.js';
import { assertWritable, writeFileAtomic } from '../io/atomic-write.js';
import { readFileHead } from '../io/bounded-read.js';
import { lockForWriting, type WriteLock } from '../io/lock.js';
import { MODEL_FORMAT } from './model.js';
import type { Model } from './model.js';
import { serializeModel } from './save.js';

/** What an output path held before this run: nothing, an mnn model, or another file. */
export type PreviousContents = 'nothing' | 'model' | 'other file';

/** Where a run saves its model (and checkpoints): checked, locked, with a rescue on failure. */
export interface ModelOutput {
  /** The path as the user gave it. */
  readonly path: string;
  /** What the path held when the output was opened. */
  readonly previous: PreviousContents;
  /**
   * Saves a model atomically. If that fails (full disk, directory gone), saves it under another
   * name (beside the target, else in the temporary directory) and throws an MnnError of kind
   * 'io' that says why and where the model went, so that a run is never thrown away.
   */
  save(model: Model): void;
  /** Gives up the claim on the path (other runs may write it again). */
  release(): void;
}

/** Options of openModelOutput. */
export interface ModelOutputOptions {
  /** Replace a file that is not an mnn model (default: refuse to). */
  readonly overwrite?: boolean;
}

/** How much of an existing file is read to tell whether it is an mnn model. */
const HEAD_BYTES = 4096;

/** Whether the start of a file is that of an mnn model (`"format": "mnn-model"` near the top). */
export function looksLikeModel(head: Uint8Array): boolean {
  const text = Buffer.from(head).toString('utf8');
  return new RegExp(`"format"\\s*:\\s*"${MODEL_FORMAT}"`).test(text);
}

/** What `path` holds now (links followed; refuses what is not a regular file). */
function previousContents(path: string, exists: boolean): PreviousContents {
  if (!exists) return 'nothing';
  const head = readFileHead(path, HEAD_BYTES, 'file');
  if (head.length === 0) return 'nothing';
  return looksLikeModel(head) ? 'model' : 'other file';
}

/**
 * Opens `path` for a training run's saves, before any work: refuses what cannot be written (see
 * assertWritable) and a file that is not an mnn model unless `overwrite` (never replace a foreign
 * file by mistake: `--out README.md`), then claims it so a second run on the same path is refused
 * while this one lasts.
 */
export function openModelOutput(path: string, options: ModelOutputOptions = {}): ModelOutput {
  const target = assertWritable(path);
  const previous = previousContents(target.path, target.existing !== undefined);
  if (previous === 'other file' && options.overwrite !== true) {
    throw new MnnError(`${path} exists and is not an mnn model; it was left unchanged`, {
      kind: 'usage',
      option: 'overwrite',
      hint: 'choose another output file, or ask to replace it anyway',
    });
  }
  const lock: WriteLock = lockForWriting(target.path);
  return {
    path,
    previous,
    save: (model) => saveOrRescue(path, model),
    release: () => lock.release(),
  };
}

/** Places a model can be rescued to when its own path cannot be written, in order of preference. */
function rescuePaths(path: string): string[] {
  const name = `${basename(path, extname(path))}-rescued-${process.pid}.json`;
  return [join(dirname(path), name), join(tmpdir(), `mnn-${name}`)];
}

/** Saves to `path`; on failure, saves elsewhere and throws an error saying where. */
function saveOrRescue(path: string, model: Model): void {
  const text = serializeModel(model);
  try {
    writeFileAtomic(path, text);
    return;
  } catch (error) {
    if (!(error instanceof MnnError)) throw error;
    for (const rescue of rescuePaths(path)) {
      try {
        writeFileAtomic(rescue, text);
      } catch {
        continue;
      }
      throw new MnnError(
        `${error.message.replace(/\.$/, '')}; the model was saved to ${rescue} instead`,
        {
          kind: 'io',
          cause: error,
        },
      );
    }
    throw new MnnError(
      `${error.message.replace(/\.$/, '')}; no other place could be written either`,
      {
        kind: 'io',
        cause: error,
      },
    );
  }
}
