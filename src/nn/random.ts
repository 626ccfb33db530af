/**
 * A small seeded pseudo-random generator (mulberry32), so that the same seed gives the same
 * initial weights, test inputs and corpora on every machine and Node version.
 */
export class Random {
  private state: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    // Mix the seed so that nearby seeds (1, 2, 3) start far apart.
    this.state = (Math.imul(seed | 0, 0x9e3779b1) ^ 0x6d2b79f5) >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform number in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** A whole number in [0, n). */
  integer(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A standard normal number (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    const u = 1 - this.next(); // in (0, 1], so log(u) is finite
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }
}

/** murmur3's 32-bit finalizer: a bijection of 32-bit words that spreads every input bit. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * What a counter-based random number is for; part of its key, so that the draws of different
 * purposes never coincide (ARCHITECTURE.md, "Determinism").
 */
export const RandomPurpose = {
  /** The order of the training samples in an epoch. */
  shuffle: 1,
  /** Which training samples are held out for validation. */
  validation: 2,
  /** Dropout masks. */
  dropout: 3,
  /** Augmentation shifts. */
  shift: 4,
} as const;

/**
 * A 32-bit random word that depends only on its key (seed, purpose, a, b, c, d): counter-based,
 * so a draw does not depend on which draws came before it, nor on which thread makes it. Keys
 * are whole numbers; each is folded in as a 32-bit word.
 */
export function counterHash(
  seed: number,
  purpose: number,
  a: number,
  b: number,
  c: number,
  d: number,
): number {
  return counterHashFinish(counterHashPrefix(seed, purpose, a, b, c), d);
}

/**
 * The key (seed, purpose, a, b, c) folded in: many draws that differ only in d (e.g. the units
 * of one dropout mask row) share it and finish with `counterHashFinish`.
 */
export function counterHashPrefix(
  seed: number,
  purpose: number,
  a: number,
  b: number,
  c: number,
): number {
  let h = mix32(seed ^ 0x9e3779b9);
  h = mix32(h ^ Math.imul(purpose, 0x27d4eb2f));
  h = mix32(h ^ a);
  h = mix32(h ^ Math.imul(b, 0x165667b1));
  return mix32(h ^ c);
}

/** counterHash(seed, purpose, a, b, c, d) from `prefix` = counterHashPrefix(seed, purpose, a, b, c). */
export function counterHashFinish(prefix: number, d: number): number {
  return mix32(prefix ^ Math.imul(d, 0x9e3779b1));
}

/** A uniform number in [0, 1) keyed like `counterHash`. */
export function counterUniform(
  seed: number,
  purpose: number,
  a: number,
  b: number,
  c: number,
  d: number,
): number {
  return counterHash(seed, purpose, a, b, c, d) / 4294967296;
}
