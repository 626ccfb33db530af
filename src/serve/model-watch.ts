import { stat } from 'node:fs/promises';
import { MnnError } from '../errors.js';
import { loadModel } from '../model/load.js';
import type { Model } from '../model/model.js';

/** One version of the served model file, as loaded. */
export interface ModelVersion {
  readonly model: Model;
  /** Counts the versions loaded since the server started, from 1. */
  readonly revision: number;
  readonly loadedAt: Date;
}

/** What the watcher tells its owner. */
export type ModelEvent =
  | { readonly kind: 'loaded'; readonly version: ModelVersion }
  | { readonly kind: 'problem'; readonly message: string };

/** A model file followed as it changes. */
export interface ModelWatch {
  /** The latest version that loaded; undefined until the file exists and is a model. */
  readonly current: ModelVersion | undefined;
  /** Why the file on disk is not the version shown (missing, unreadable), if it is not. */
  readonly problem: string | undefined;
  close(): void;
}

/** The identity of a file's contents as far as stat tells: a rename or a rewrite changes it. */
function fingerprint(info: { ino: number; size: number; mtimeMs: number }): string {
  return `${info.ino}:${info.size}:${info.mtimeMs}`;
}

/**
 * Loads `path` and reloads it whenever it changes (checked every `intervalMs` by stat, which works
 * on every file system, unlike change notifications). `mnn train` replaces the file atomically,
 * so a reload sees a whole checkpoint; a file that fails to load keeps the last good version.
 */
export async function watchModel(
  path: string,
  intervalMs: number,
  onEvent: (event: ModelEvent) => void,
): Promise<ModelWatch> {
  let current: ModelVersion | undefined;
  let problem: string | undefined;
  let seen = '';
  let revision = 0;
  let checking = false;

  const check = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      const info = await stat(path).catch(() => undefined);
      const now = info === undefined ? 'missing' : fingerprint(info);
      if (now === seen) return;
      seen = now;
      if (info === undefined) {
        report(`${path} does not exist (yet); waiting for it to be written`);
        return;
      }
      const model = loadModel(path);
      problem = undefined;
      current = { model, revision: ++revision, loadedAt: new Date() };
      onEvent({ kind: 'loaded', version: current });
    } catch (error) {
      if (!(error instanceof MnnError)) throw error;
      report(error.message);
    } finally {
      checking = false;
    }
  };
  const report = (message: string): void => {
    problem = message;
    onEvent({ kind: 'problem', message });
  };

  await check();
  const timer = setInterval(() => void check(), intervalMs);
  return {
    get current() {
      return current;
    },
    get problem() {
      return problem;
    },
    close: () => clearInterval(timer),
  };
}
