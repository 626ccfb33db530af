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
  i32,
  increment,
  lanes,
  loopUntil,
  set,
  shuffleF32,
  v128,
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
  /** adamGroupF32 (below) over one first-layer group. */
  adamGroupF32(group: AdamGroup, alpha: number, constants: AdamConstants, lambda: number): void;
}

/** One first-layer group's arrays for UpdateKernels.adamGroupF32. */
export interface AdamGroup {
  /** The group's `width` rows of W⁽¹⁾, rowLength long (the caller's layout, f64). */
  readonly theta: Float64Array;
  /** M and S of those weights in f32, pixel-major (rowLength × width), as the chunk sums are. */
  readonly M: Float32Array;
  readonly S: Float32Array;
  /** Chunk 0's gradient sums of the group (rowLength × width); chunk c's c·stride later. */
  readonly partials: Float32Array;
  readonly chunkCount: number;
  readonly stride: number;
  /** What the summed gradient is multiplied by: 1 / (batch size · 255). */
  readonly gradientScale: number;
  /** The forward copy θᵀ / divisor (rowLength × width). */
  readonly weights: Float32Array;
  readonly rowLength: number;
  readonly width: number;
  readonly divisor: number;
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
export const ADAM_CONSTANT_NAMES = [
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

/**
 * The `adamGroupF32` function: Adam over one first-layer group in an f32 run, with M and S in f32
 * in the layout of the group's gradient sums (pixel-major, `width` neurons a row), as PyTorch keeps
 * them; θ stays f64, in the caller's rows. For each pair of pixels p, p + 1 and four neurons j…j+3:
 *   g = (Σ over chunks, in order, of the f32 sums) · gradientScale       (f32)
 *   M ← β₁ M + (1 − β₁) g, S ← β₂ S + (1 − β₂) g ⊙ g                    (f32)
 *   d = M · (1 / (1 − β₁ᵗ)) / (√(S · (1 / (1 − β₂ᵗ))) + ε)              (f32)
 *   θ ← θ − α (d + λ θ)                                                  (f64)
 *   weights = θᵀ · (1 / divisor), rounded to f32 (the forward copy, as the f32 transpose makes it)
 * Everything is read and written in whole vectors: shuffles turn the pixel-major quads into the
 * neuron rows' pairs and back. rowLength must be even and width a multiple of 4.
 */
function adamGroupF32Function() {
  const builder = new FunctionBuilder('adamGroupF32');
  const [theta, M, S, partials, weights, rowLength, width, chunkCount, stride] = builder.parameters(
    'theta',
    'M',
    'S',
    'partials',
    'weights',
    'rowLength',
    'width',
    'chunkCount',
    'stride',
  );
  const floats = [...ADAM_CONSTANT_NAMES, 'gradientScale', 'divisor'] as const;
  const scalars = builder.floatParameters(...floats);
  const scalar = (name: (typeof floats)[number]) => scalars[floats.indexOf(name)];
  const local = (name: string, type: 'i32' | 'v128') => builder.local(name, type);
  // f32 quads of β₁, β₂, 1 − β₁, 1 − β₂, 1 / (1 − βᵗ), ε and the gradient scale; f64 pairs of α, λ
  // and 1 / divisor.
  const quad = (name: string) => local(`${name}Quad`, 'v128');
  const [beta1, beta2, oneMinusBeta1, oneMinusBeta2, inverse1, inverse2, epsilon, gScale] = [
    'beta1',
    'beta2',
    'oneMinusBeta1',
    'oneMinusBeta2',
    'inverse1',
    'inverse2',
    'epsilon',
    'gradientScale',
  ].map(quad);
  const [alpha, lambda, reciprocal] = ['alpha', 'lambda', 'reciprocal'].map((name) =>
    local(`${name}Pair`, 'v128'),
  );
  const splat32 = (target: Local, value: Code) =>
    set(target, code(value, f32.demote_f64, f32x4.splat));
  const splat64 = (target: Local, value: Code) => set(target, code(value, f64x2.splat));
  const prologue = code(
    splat32(beta1, get(scalar('beta1'))),
    splat32(beta2, get(scalar('beta2'))),
    splat32(oneMinusBeta1, get(scalar('oneMinusBeta1'))),
    splat32(oneMinusBeta2, get(scalar('oneMinusBeta2'))),
    splat32(inverse1, code(f64.const(1), get(scalar('correction1')), f64.div)),
    splat32(inverse2, code(f64.const(1), get(scalar('correction2')), f64.div)),
    splat32(epsilon, get(scalar('epsilon'))),
    splat32(gScale, get(scalar('gradientScale'))),
    splat64(alpha, get(scalar('alpha'))),
    splat64(lambda, get(scalar('lambda'))),
    splat64(reciprocal, code(f64.const(1), get(scalar('divisor')), f64.div)),
  );
  const [p, j, c, more, at, from, row, strideBytes, nextBytes, rowBytes] = [
    'p',
    'j',
    'c',
    'more',
    'at', // the byte offset of [p][j] in the group's pixel-major arrays
    'from', // the address of the chunk sums being added
    'row', // the address of θ[j][p]
    'strideBytes',
    'nextBytes', // from [p][j] to [p + 1][j]
    'rowBytes',
  ].map((name) => local(name, 'i32'));
  // At p (A) and p + 1 (B): g, the new M and S, and the direction d.
  const [gA, gB, mA, mB, sA, sB, dA, dB] = ['gA', 'gB', 'mA', 'mB', 'sA', 'sB', 'dA', 'dB'].map(
    (name) => local(name, 'v128'),
  );
  const [pair, t01, t23] = ['pair', 't01', 't23'].map((name) => local(name, 'v128'));
  const weightPairs = [0, 1, 2, 3].map((k) => local(`w${k}`, 'v128'));
  const quadAt = (base: Local, next: boolean) =>
    code(get(base), get(at), i32.add, next ? code(get(nextBytes), i32.add) : []);
  const load = (base: Local, next: boolean) => code(quadAt(base, next), v128.load());
  const nextChunk = code(get(from), get(nextBytes), i32.add, v128.load());
  const sums = code(
    set(from, code(get(partials), get(at), i32.add)),
    set(gA, code(get(from), v128.load())),
    set(gB, nextChunk),
    set(c, i32.const(0)),
    loopUntil(
      code(get(c), get(more), i32.ge_u),
      code(
        increment(from, get(strideBytes)),
        set(gA, code(get(gA), get(from), v128.load(), f32x4.add)),
        set(gB, code(get(gB), nextChunk, f32x4.add)),
        increment(c, 1),
      ),
    ),
    set(gA, code(get(gA), get(gScale), f32x4.mul)),
    set(gB, code(get(gB), get(gScale), f32x4.mul)),
  );
  // M, S and d at p (next: false) or p + 1 (next: true).
  const moments = (next: boolean) => {
    const [g, m, s, d] = next ? [gB, mB, sB, dB] : [gA, mA, sA, dA];
    return code(
      set(
        m,
        code(
          get(beta1),
          load(M, next),
          f32x4.mul,
          get(oneMinusBeta1),
          get(g),
          f32x4.mul,
          f32x4.add,
        ),
      ),
      quadAt(M, next),
      get(m),
      v128.store(),
      set(
        s,
        code(
          get(beta2),
          load(S, next),
          f32x4.mul,
          get(oneMinusBeta2),
          get(g),
          f32x4.mul,
          get(g),
          f32x4.mul,
          f32x4.add,
        ),
      ),
      quadAt(S, next),
      get(s),
      v128.store(),
      set(
        d,
        code(
          get(m),
          get(inverse1),
          f32x4.mul,
          get(s),
          get(inverse2),
          f32x4.mul,
          f32x4.sqrt,
          get(epsilon),
          f32x4.add,
          f32x4.div,
        ),
      ),
    );
  };
  // Row j + k of θ at p and p + 1: θ ← θ − α (d + λ θ); its forward copy pair into w_k.
  const rowStep = (k: 0 | 1 | 2 | 3) =>
    code(
      set(pair, code(get(row), v128.load())),
      get(row),
      get(pair),
      get(alpha),
      get(dA),
      get(dB),
      shuffleF32([k, 4 + k, k, 4 + k]),
      f64x2.promote_low_f32x4,
      get(lambda),
      get(pair),
      f64x2.mul,
      f64x2.add,
      f64x2.mul,
      f64x2.sub,
      set(pair, []),
      get(pair),
      v128.store(),
      set(weightPairs[k], code(get(pair), get(reciprocal), f64x2.mul, f32x4.demote_f64x2_zero)),
      increment(row, get(rowBytes)),
    );
  const [w0, w1, w2, w3] = weightPairs;
  const quadStep = code(
    sums,
    moments(false),
    moments(true),
    set(
      row,
      code(
        get(theta),
        get(j),
        get(rowBytes),
        i32.mul,
        i32.add,
        get(p),
        i32.const(3),
        i32.shl,
        i32.add,
      ),
    ),
    rowStep(0),
    rowStep(1),
    rowStep(2),
    rowStep(3),
    // [w(j,p), w(j+1,p), w(j,p+1), w(j+1,p+1)] and the same for j + 2, j + 3
    set(t01, code(get(w0), get(w1), shuffleF32([0, 4, 1, 5]))),
    set(t23, code(get(w2), get(w3), shuffleF32([0, 4, 1, 5]))),
    quadAt(weights, false),
    get(t01),
    get(t23),
    shuffleF32([0, 1, 4, 5]),
    v128.store(),
    quadAt(weights, true),
    get(t01),
    get(t23),
    shuffleF32([2, 3, 6, 7]),
    v128.store(),
    increment(at, 16),
    increment(j, 4),
  );
  return builder.build(
    code(
      prologue,
      set(rowBytes, code(get(rowLength), i32.const(3), i32.shl)),
      set(strideBytes, code(get(stride), i32.const(2), i32.shl)),
      set(nextBytes, code(get(width), i32.const(2), i32.shl)),
      set(more, code(get(chunkCount), i32.const(1), i32.sub)),
      set(at, i32.const(0)),
      set(p, i32.const(0)),
      loopUntil(
        code(get(p), get(rowLength), i32.ge_u),
        code(
          set(j, i32.const(0)),
          loopUntil(code(get(j), get(width), i32.ge_u), quadStep),
          // past row p + 1, done with row p's quads
          increment(at, get(nextBytes)),
          increment(p, 2),
        ),
      ),
    ),
  );
}

let moduleBytes: Uint8Array | undefined;

/** The module of the update kernels (built once). */
export function updateModule(): Uint8Array {
  moduleBytes ??= buildModule([
    gradientDescentFunction(),
    momentumFunction(),
    adamFunction(),
    adamF32Function(),
    adamGroupF32Function(),
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
  const adamGroupF32 = module.kernel('adamGroupF32');
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
    adamGroupF32(group, alpha, k, lambda) {
      const { theta, M, S, partials, weights, rowLength, width, chunkCount, stride } = group;
      const n = rowLength * width;
      if (rowLength % 2 !== 0 || width % 4 !== 0) {
        throw new RangeError('adamGroupF32 needs an even row length and a width a multiple of 4');
      }
      if ([theta, M, S, weights].some((array) => array.length !== n) || chunkCount < 1) {
        throw new RangeError('adamGroupF32 needs rowLength × width of θ, M, S and weights');
      }
      adamGroupF32(
        address(theta, 0, n),
        address(M, 0, n),
        address(S, 0, n),
        address(partials, 0, (chunkCount - 1) * stride + n),
        address(weights, 0, n),
        rowLength,
        width,
        chunkCount,
        stride,
        ...adamArguments(alpha, k, lambda),
        group.gradientScale,
        group.divisor,
      );
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
    ...adamArguments(alpha, k, lambda),
  );
}

/** Adam's numbers as the kernels take them: in the order of ADAM_CONSTANT_NAMES. */
function adamArguments(alpha: number, k: AdamConstants, lambda: number): number[] {
  const values: Record<(typeof ADAM_CONSTANT_NAMES)[number], number> = { ...k, alpha, lambda };
  return ADAM_CONSTANT_NAMES.map((name) => values[name]);
}
