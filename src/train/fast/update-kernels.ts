/**
 * The optimizer updates (docs/math.md, "Beyond the paper") as WebAssembly over slices of the
 * parameters, two elements at a time. Every element goes through exactly the operations of the
 * readable optimizer (src/train/optimizer.ts), in the same order, so the results are
 * bit-identical to it: f64x2 arithmetic, division and square root round like their scalar forms.
 */
import type { Code, Local } from './wasm-module.js';
import {
  FunctionBuilder,
  buildModule,
  code,
  element,
  f32,
  f32x4,
  f64,
  f64x2,
  forEachPair,
  get,
  lanes,
  set,
} from './wasm-module.js';
import type { WasmMemory } from './wasm.js';
import type { RawKernel } from './wasm.js';
import { KernelModule, address } from './wasm.js';

/** Adam's constants for one step t: β₁, β₂, 1 − β₁, 1 − β₂, the corrections 1 − βᵗ, and ε. */
export interface AdamConstants {
  readonly beta1: number;
  readonly beta2: number;
  readonly oneMinusBeta1: number;
  readonly oneMinusBeta2: number;
  readonly correction1: number;
  readonly correction2: number;
  readonly epsilon: number;
}

/** An Adam step over a slice (both Adam kernels take the same arguments). */
type AdamUpdate = (
  theta: Float64Array,
  g: Float64Array,
  M: Float64Array,
  S: Float64Array,
  alpha: number,
  constants: AdamConstants,
  lambda: number,
) => void;

/** One optimizer step over a slice: θ, g and the state arrays all of the same length. */
export interface UpdateKernels {
  /** θ ← θ − α (g + λ θ). */
  gradientDescent(theta: Float64Array, g: Float64Array, alpha: number, lambda: number): void;
  /** V ← μ V + (g + λ θ), θ ← θ − α V. */
  momentum(
    theta: Float64Array,
    g: Float64Array,
    V: Float64Array,
    alpha: number,
    mu: number,
    lambda: number,
  ): void;
  /**
   * M ← β₁ M + (1 − β₁) g, S ← β₂ S + (1 − β₂) g ⊙ g,
   * θ ← θ − α (M / (1 − β₁ᵗ) / (√(S / (1 − β₂ᵗ)) + ε) + λ θ).
   */
  adam: AdamUpdate;
  /**
   * `adam` for f32 runs: M and S exactly as `adam` updates them, and θ in f64, but Adam's
   * direction M̂ / (√Ŝ + ε) in f32, with M̂ = M · (1 / (1 − β₁ᵗ)) and Ŝ = S · (1 / (1 − β₂ᵗ)):
   * the f64 divisions and square root cost more than everything else of a step's update.
   */
  adamF32: AdamUpdate;
}

/**
 * The f64 constants of a function, and their splats (v128 locals set once at its start) for the
 * two-lane steps: `value(name, vector)` reads the one the lane width needs.
 */
function constants<const N extends readonly string[]>(builder: FunctionBuilder, names: N) {
  const scalars = builder.floatParameters(...names);
  const splats = names.map((name) => builder.local(`${name}Pair`, 'v128'));
  const index = (name: N[number]) => names.indexOf(name);
  return {
    /** Sets every splat local; the first code of the function. */
    splat: code(...scalars.map((scalar, k) => set(splats[k], code(get(scalar), f64x2.splat)))),
    value: (name: N[number], vector: boolean): Code =>
      get((vector ? splats : scalars)[index(name)]),
  };
}

/** A lane-width temporary: a v128 local for the pairs, an f64 for the odd last element. */
function temporary(builder: FunctionBuilder, name: string) {
  const pair = builder.local(`${name}Pair`, 'v128');
  const single = builder.local(name, 'f64');
  return (vector: boolean): Local => (vector ? pair : single);
}

/** The `gradientDescent` function. */
function gradientDescentFunction() {
  const builder = new FunctionBuilder('gradientDescent');
  const [theta, g, length] = builder.parameters('theta', 'g', 'length');
  const c = constants(builder, ['alpha', 'lambda'] as const);
  const k = builder.local('k', 'i32');
  const step = (vector: boolean): number[] => {
    const { load, store, add, sub, mul } = lanes(vector);
    const value = (name: 'alpha' | 'lambda') => c.value(name, vector);
    // θ ← θ − α (g + λ θ)
    return code(
      element(theta, k),
      element(theta, k),
      load,
      value('alpha'),
      element(g, k),
      load,
      value('lambda'),
      element(theta, k),
      load,
      mul,
      add,
      mul,
      sub,
      store,
    );
  };
  return builder.build(code(c.splat, forEachPair(k, length, step(true), step(false))));
}

/** The `momentum` function. */
function momentumFunction() {
  const builder = new FunctionBuilder('momentum');
  const [theta, g, V, length] = builder.parameters('theta', 'g', 'V', 'length');
  const c = constants(builder, ['alpha', 'mu', 'lambda'] as const);
  const k = builder.local('k', 'i32');
  const velocity = temporary(builder, 'v');
  const step = (vector: boolean): number[] => {
    const { load, store, add, sub, mul } = lanes(vector);
    const value = (name: 'alpha' | 'mu' | 'lambda') => c.value(name, vector);
    const v = velocity(vector);
    return code(
      // V ← μ V + (g + λ θ)
      set(
        v,
        code(
          value('mu'),
          element(V, k),
          load,
          mul,
          element(g, k),
          load,
          value('lambda'),
          element(theta, k),
          load,
          mul,
          add,
          add,
        ),
      ),
      element(V, k),
      get(v),
      store,
      // θ ← θ − α V
      element(theta, k),
      element(theta, k),
      load,
      value('alpha'),
      get(v),
      mul,
      sub,
      store,
    );
  };
  return builder.build(code(c.splat, forEachPair(k, length, step(true), step(false))));
}

/** The constants of both Adam functions, in the order of their parameters. */
const ADAM_CONSTANT_NAMES = [
  'alpha',
  'beta1',
  'beta2',
  'oneMinusBeta1',
  'oneMinusBeta2',
  'correction1',
  'correction2',
  'epsilon',
  'lambda',
] as const;

/** What both Adam functions declare: θ, g, M, S, their length, the constants, k, m and s. */
function adamLocals(builder: FunctionBuilder) {
  const [theta, g, M, S, length] = builder.parameters('theta', 'g', 'M', 'S', 'length');
  return {
    theta,
    g,
    M,
    S,
    length,
    c: constants(builder, ADAM_CONSTANT_NAMES),
    k: builder.local('k', 'i32'),
    firstMoment: temporary(builder, 'm'),
    secondMoment: temporary(builder, 's'),
    gradient: temporary(builder, 'gk'),
    parameter: temporary(builder, 'thetaK'),
  };
}

/**
 * One element (or pair) of an Adam step, the moments as src/train/optimizer.ts updates them and
 * θ moved along `direction` (code reading the new moments from the m and s temporaries).
 */
function adamElementStep(
  locals: ReturnType<typeof adamLocals>,
  vector: boolean,
  direction: (m: Local, s: Local) => Code,
): Code {
  const { theta, g, M, S, c, k } = locals;
  const { load, store, add, sub, mul } = lanes(vector);
  const value = (name: (typeof ADAM_CONSTANT_NAMES)[number]) => c.value(name, vector);
  const [m, s] = [locals.firstMoment(vector), locals.secondMoment(vector)];
  // g and θ read once each (the stores to M and S in between may alias them for the compiler).
  const [gradient, parameter] = [locals.gradient(vector), locals.parameter(vector)];
  return code(
    set(gradient, code(element(g, k), load)),
    set(parameter, code(element(theta, k), load)),
    // M ← β₁ M + (1 − β₁) g
    set(
      m,
      code(
        value('beta1'),
        element(M, k),
        load,
        mul,
        value('oneMinusBeta1'),
        get(gradient),
        mul,
        add,
      ),
    ),
    element(M, k),
    get(m),
    store,
    // S ← β₂ S + (1 − β₂) g ⊙ g
    set(
      s,
      code(
        value('beta2'),
        element(S, k),
        load,
        mul,
        value('oneMinusBeta2'),
        get(gradient),
        mul,
        get(gradient),
        mul,
        add,
      ),
    ),
    element(S, k),
    get(s),
    store,
    // θ ← θ − α (direction + λ θ)
    element(theta, k),
    get(parameter),
    value('alpha'),
    direction(m, s),
    value('lambda'),
    get(parameter),
    mul,
    add,
    mul,
    sub,
    store,
  );
}

/** The `adam` function: the direction M̂ / (√Ŝ + ε), M̂ = M / (1 − β₁ᵗ), Ŝ = S / (1 − β₂ᵗ), in f64. */
function adamFunction() {
  const builder = new FunctionBuilder('adam');
  const locals = adamLocals(builder);
  const { c, k, length } = locals;
  const step = (vector: boolean): Code => {
    const { add, div, sqrt } = lanes(vector);
    const value = (name: (typeof ADAM_CONSTANT_NAMES)[number]) => c.value(name, vector);
    return adamElementStep(locals, vector, (m, s) =>
      code(
        get(m),
        value('correction1'),
        div,
        get(s),
        value('correction2'),
        div,
        sqrt,
        value('epsilon'),
        add,
        div,
      ),
    );
  };
  return builder.build(code(c.splat, forEachPair(k, length, step(true), step(false))));
}

/**
 * The `adamF32` function: the moments as `adam` computes them, in f64 pairs; each pair's direction
 * in the low lanes of an f32x4 (demoted, then promoted back exactly), so a step costs one f32
 * division and square root instead of three f64 divisions and a square root.
 */
function adamF32Function() {
  const builder = new FunctionBuilder('adamF32');
  const locals = adamLocals(builder);
  const { c, k, length } = locals;
  // 1 / (1 − β₁ᵗ) and 1 / (1 − β₂ᵗ) in f64; ε in f32; each also as a splat for the pairs.
  const inverse1 = builder.local('inverse1', 'f64');
  const inverse2 = builder.local('inverse2', 'f64');
  const epsilon = builder.local('epsilon32', 'f32');
  const [inverse1Pair, inverse2Pair, epsilonQuad] = [
    builder.local('inverse1Pair', 'v128'),
    builder.local('inverse2Pair', 'v128'),
    builder.local('epsilonQuad', 'v128'),
  ];
  const prologue = code(
    c.splat,
    set(inverse1, code(f64.const(1), c.value('correction1', false), f64.div)),
    set(inverse2, code(f64.const(1), c.value('correction2', false), f64.div)),
    set(epsilon, code(c.value('epsilon', false), f32.demote_f64)),
    set(inverse1Pair, code(get(inverse1), f64x2.splat)),
    set(inverse2Pair, code(get(inverse2), f64x2.splat)),
    set(epsilonQuad, code(get(epsilon), f32x4.splat)),
  );
  const step = (vector: boolean): Code => {
    const { mul } = lanes(vector);
    // Narrowed to f32 (a pair into the low lanes), and the f32 result widened back to f64.
    const narrow = vector ? f32x4.demote_f64x2_zero : f32.demote_f64;
    const widen = vector ? f64x2.promote_low_f32x4 : f32.promote;
    const f32ops = vector ? f32x4 : f32;
    // M̂ / (√Ŝ + ε) in f32
    return adamElementStep(locals, vector, (m, s) =>
      code(
        get(m),
        get(vector ? inverse1Pair : inverse1),
        mul,
        narrow,
        get(s),
        get(vector ? inverse2Pair : inverse2),
        mul,
        narrow,
        f32ops.sqrt,
        get(vector ? epsilonQuad : epsilon),
        f32ops.add,
        f32ops.div,
        widen,
      ),
    );
  };
  return builder.build(code(prologue, forEachPair(k, length, step(true), step(false))));
}

let moduleBytes: Uint8Array | undefined;

/** The module of the update kernels (built once). */
export function updateModule(): Uint8Array {
  moduleBytes ??= buildModule([
    gradientDescentFunction(),
    momentumFunction(),
    adamFunction(),
    adamF32Function(),
  ]);
  return moduleBytes;
}

/** Throws unless every array has the length of the first. */
function checkLengths(...arrays: Float64Array[]): number {
  const length = arrays[0].length;
  if (arrays.some((array) => array.length !== length)) {
    throw new RangeError('an optimizer step needs θ, g and its state arrays of one length');
  }
  return length;
}

/** The update kernels over `memory`, called with views into it. */
export function updateKernels(memory: WasmMemory): UpdateKernels {
  const module = new KernelModule(updateModule(), memory);
  const gradientDescent = module.kernel('gradientDescent');
  const momentum = module.kernel('momentum');
  const adam = module.kernel('adam');
  const adamF32 = module.kernel('adamF32');
  return {
    gradientDescent(theta, g, alpha, lambda) {
      const n = checkLengths(theta, g);
      gradientDescent(address(theta, 0, n), address(g, 0, n), n, alpha, lambda);
    },
    momentum(theta, g, V, alpha, mu, lambda) {
      const n = checkLengths(theta, g, V);
      momentum(address(theta, 0, n), address(g, 0, n), address(V, 0, n), n, alpha, mu, lambda);
    },
    adam(theta, g, M, S, alpha, k, lambda) {
      adamStep(adam, theta, g, M, S, alpha, k, lambda);
    },
    adamF32(theta, g, M, S, alpha, k, lambda) {
      adamStep(adamF32, theta, g, M, S, alpha, k, lambda);
    },
  };
}

/** Calls an Adam kernel (`adam` or `adamF32`: the same arguments) on views into its memory. */
function adamStep(
  kernel: RawKernel,
  theta: Float64Array,
  g: Float64Array,
  M: Float64Array,
  S: Float64Array,
  alpha: number,
  k: AdamConstants,
  lambda: number,
): void {
  const n = checkLengths(theta, g, M, S);
  kernel(
    address(theta, 0, n),
    address(g, 0, n),
    address(M, 0, n),
    address(S, 0, n),
    n,
    alpha,
    k.beta1,
    k.beta2,
    k.oneMinusBeta1,
    k.oneMinusBeta2,
    k.correction1,
    k.correction2,
    k.epsilon,
    lambda,
  );
}
