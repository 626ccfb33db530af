import { InvalidArgumentError } from 'commander';
import { isLayerSize, LAYER_SIZE_RULE } from '../nn/parameters.js';

/** Parses a whole number option within [min, max]; commander turns the error into a usage line. */
export function integerOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (text: string): number => {
    const value = Number(text.trim());
    if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(
        `${name} must be a whole number from ${min} to ${max}, got "${text}".`,
      );
    }
    return value;
  };
}

/** Parses a finite number option in the open/closed range (minExclusive, max]. */
export function positiveNumberOption(name: string, max = Number.MAX_VALUE) {
  return (text: string): number => {
    const value = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(value) || value <= 0 || value > max) {
      throw new InvalidArgumentError(
        `${name} must be a number greater than 0 and at most ${max}, got "${text}".`,
      );
    }
    return value;
  };
}

/** Parses `--layers 784,10,10`: at least two sizes, each obeying LAYER_SIZE_RULE. */
export function parseLayers(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length < 2) {
    throw new InvalidArgumentError(
      `--layers needs at least two sizes (input and output), e.g. 784,10,10; got "${text}".`,
    );
  }
  return parts.map((part, index) => {
    const size = Number(part);
    if (part === '' || !isLayerSize(size)) {
      throw new InvalidArgumentError(
        `--layers entry ${index + 1} ("${part}") must be ${LAYER_SIZE_RULE}, e.g. 784,10,10.`,
      );
    }
    return size;
  });
}

/** Parses a choice among fixed words, naming them all in the error. */
export function choiceOption<T extends string>(name: string, choices: readonly T[]) {
  return (text: string): T => {
    const found = choices.find((choice) => choice === text);
    if (found === undefined) {
      throw new InvalidArgumentError(
        `${name} must be one of ${choices.join(', ')}; got "${text}".`,
      );
    }
    return found;
  };
}

/** Parses a number option in [min, max) (or [min, max] when `closed`), naming the range in the error. */
export function rangeOption(name: string, min: number, max: number, closed = false) {
  return (text: string): number => {
    const value = Number(text.trim());
    const inRange = value >= min && (closed ? value <= max : value < max);
    if (text.trim() === '' || !Number.isFinite(value) || !inRange) {
      const upper = closed ? `at most ${max}` : `below ${max}`;
      throw new InvalidArgumentError(
        `${name} must be a number from ${min} to ${upper}, got "${text}".`,
      );
    }
    return value;
  };
}

/** Parses `--augment shift:K`, K a whole number of pixels from 1 to `maxShift`. */
export function augmentOption(maxShift: number) {
  return (text: string): number => {
    const match = /^shift:(\d+)$/.exec(text.trim());
    const shift = match ? Number(match[1]) : NaN;
    if (!(shift >= 1 && shift <= maxShift)) {
      throw new InvalidArgumentError(
        `--augment must be shift:K with K a whole number of pixels from 1 to ${maxShift}, e.g. shift:2; got "${text}".`,
      );
    }
    return shift;
  };
}
