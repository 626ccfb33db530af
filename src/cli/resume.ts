import type { DataSource } from '../data/source.js';
import { dataSourceFromName } from '../data/source.js';
import { MnnError } from '../errors.js';
import { loadModel } from '../model/load.js';
import type { Model, TrainingRecord } from '../model/model.js';
import type { TrainState } from '../train/train.js';
import { dataSourceFor } from './data-option.js';
import { typed } from './text.js';

/** The options of `mnn train` that a resumed run can take from the model file. */
export interface TrainChoices {
  readonly data?: string;
  readonly layers: number[];
  readonly alpha: number;
  readonly iters: number;
  readonly seed: number;
  readonly init: 'he' | 'uniform';
  readonly evalEvery: number;
  readonly out: string;
}

/** What a resumed run continues from. */
export interface ResumePoint {
  readonly path: string;
  readonly model: Model;
  readonly state: TrainState;
}

/** The settings a training run uses, from the options alone or merged with a checkpoint. */
export interface TrainSettings extends Omit<TrainChoices, 'data'> {
  readonly source: DataSource;
  readonly resume?: ResumePoint;
}

/** Tells whether the user typed an option (true) or commander filled in its default (false). */
export type GivenOption = (name: keyof TrainChoices) => boolean;

/** Settings of a fresh run: the options as given. */
export function freshSettings(choices: TrainChoices): TrainSettings {
  return { ...choices, source: dataSourceFor(choices.data) };
}

/**
 * Settings of `mnn train --resume FILE`: the file's layers, α, seed, init, --eval-every and data
 * unless overridden where that is safe (α, --eval-every, --data of the same shape, checked once
 * loaded). Refuses other layers, or a --seed or --init that could no longer apply. `--iters` is
 * the new total (default: the total the file was started with); `--out` defaults to FILE.
 */
export function resumeSettings(
  path: string,
  choices: TrainChoices,
  given: GivenOption,
): TrainSettings {
  const model = loadModel(path);
  const training = model.training;
  if (training === undefined) {
    throw new MnnError(
      `${path} has no training record, so it cannot be resumed; train a new model with \`${typed('train')}\`.`,
    );
  }
  const layers = model.parameters.layerSizes;
  if (given('layers') && choices.layers.join() !== layers.join()) {
    throw new MnnError(
      `--layers ${choices.layers.join(',')} differs from ${path}'s layers ${layers.join(',')}; a resumed run keeps its network, so drop --layers or train a new model without --resume.`,
      { kind: 'usage' },
    );
  }
  refuseInitChange(path, training, choices, given);
  return {
    layers: [...layers],
    alpha: given('alpha') ? choices.alpha : training.alpha,
    iters: resumedTotal(path, training, choices, given),
    seed: training.seed,
    init: training.init,
    evalEvery: given('evalEvery') ? choices.evalEvery : training.evalEvery,
    out: given('out') ? choices.out : path,
    source: given('data') ? dataSourceFor(choices.data) : dataSourceFromName(training.dataset),
    resume: {
      path,
      model,
      state: {
        parameters: model.parameters,
        iteration: training.iterations,
        history: training.history,
        seconds: training.seconds,
      },
    },
  };
}

/** --seed and --init only choose initial weights, which a resumed run does not draw. */
function refuseInitChange(
  path: string,
  training: TrainingRecord,
  choices: TrainChoices,
  given: GivenOption,
): void {
  if (given('seed') && choices.seed !== training.seed) {
    throw new MnnError(
      `--seed ${choices.seed} cannot apply: the seed only draws initial weights, and ${path} continues from its own (seed ${training.seed}); drop --seed, or train a new model without --resume.`,
      { kind: 'usage' },
    );
  }
  if (given('init') && choices.init !== training.init) {
    throw new MnnError(
      `--init ${choices.init} cannot apply: ${path} continues from its own weights (initialized with ${training.init}); drop --init, or train a new model without --resume.`,
      { kind: 'usage' },
    );
  }
}

/** The total to reach: --iters if given, else the file's own target; more than already done. */
function resumedTotal(
  path: string,
  training: TrainingRecord,
  choices: TrainChoices,
  given: GivenOption,
): number {
  const done = training.iterations;
  const example = `--iters ${Math.max(done * 2, done + 1)}`;
  if (!given('iters')) {
    if (done >= training.targetIterations) {
      throw new MnnError(
        `${path} is complete (${done} iterations); to train it more, give the new total with --iters, e.g. ${example}.`,
        { kind: 'usage' },
      );
    }
    return training.targetIterations;
  }
  if (choices.iters <= done) {
    throw new MnnError(
      `${path} has already done ${done} iterations and --iters is the new total; give more than ${done}, e.g. ${example}.`,
      { kind: 'usage' },
    );
  }
  return choices.iters;
}
