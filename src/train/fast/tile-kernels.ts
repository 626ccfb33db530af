/**
 * The dense layers' three products as register-tiled WebAssembly: C (M × N) = start + X·Y, where
 * each tile of TILE_ROWS rows × TILE_VECTORS vectors of C stays in v128 locals while k runs over
 * the shared dimension, reading per k one vector of Y per tile column and one number of X per
 * tile row (splatted). Every element is still start + Σₖ X[r][k]·Y[k][c] with k ascending, term
 * by term, as the plain loop adds it: in exact f64 the bits are the reference engine's, and in
 * any arithmetic they depend on neither the tile an element falls in nor the thread.
 *
 * forward:  Z⁽ℓ⁾ = A⁽ℓ⁻¹⁾·(W⁽ℓ⁾)ᵀ + b   (C = Z, X = A, Y = Wᵀ, start = b in every row)
 * gradient: ∂C/∂W⁽ℓ⁾ += (Δ⁽ℓ⁾)ᵀ·A⁽ℓ⁻¹⁾   (C = ∂C/∂W, X = Δᵀ read in place, Y = A, start = C)
 * backDelta: Δ⁽ℓ⁻¹⁾ = ReLU′(Z⁽ℓ⁻¹⁾) ⊙ Δ⁽ℓ⁾·W⁽ℓ⁾   (C = Δ⁽ℓ⁻¹⁾, X = Δ⁽ℓ⁾, Y = W, start = 0, gated)
 */
import type { FloatArray } from './input-kernels.js';
import type { Arithmetic, Code, FloatType, Local } from './wasm-module.js';
import {
  EXACT_F64,
  FunctionBuilder,
  buildModule,
  code,
  floatType,
  get,
  i32,
  increment,
  loopUntil,
  multiplyAdd,
  select,
  set,
  v128,
} from './wasm-module.js';
import type { WasmMemory } from './wasm.js';
import { KernelModule, address } from './wasm.js';

/** Rows of C per register tile. */
export const TILE_ROWS = 4;
/** Vectors of C per tile row: TILE_ROWS·TILE_VECTORS accumulators, plus the vectors of Y. */
export const TILE_VECTORS = 2;

/** Where each element of C starts: b (one row for all), C itself, or 0. */
type Start = 'bias' | 'accumulate' | 'zero';

/** The tiled products over one block. Each view starts at the kernel's first element. */
export interface TileKernels {
  /** Z = A·Wᵀ-as-stored + b: Z (count × nOut), WT (nIn × nOut), b (nOut), A (count × nIn). */
  forward(
    Z: FloatArray,
    WT: FloatArray,
    b: FloatArray,
    A: FloatArray,
    count: number,
    nOut: number,
    nIn: number,
  ): void;
  /** ∂C/∂W += Δᵀ·A, unscaled: gradientW (nOut × nIn), Δ (count × nOut), A (count × nIn). */
  gradient(
    gradientW: FloatArray,
    delta: FloatArray,
    A: FloatArray,
    count: number,
    nOut: number,
    nIn: number,
  ): void;
  /**
   * previous = (Δ·W where Z > 0, else +0): previous and Z (count × nIn), W (nOut × nIn),
   * Δ (count × nOut).
   */
  backDelta(
    previous: FloatArray,
    W: FloatArray,
    delta: FloatArray,
    Z: FloatArray,
    count: number,
    nOut: number,
    nIn: number,
  ): void;
}

/** The locals of a product function, and what it was generated for. */
interface Product {
  readonly arithmetic: Arithmetic;
  readonly type: FloatType;
  readonly start: Start;
  readonly gated: boolean;
  /** Parameters: base addresses, sizes and strides (in elements). */
  readonly C: Local;
  readonly X: Local;
  readonly Y: Local;
  readonly bias: Local;
  readonly gate: Local;
  readonly K: Local;
  readonly ldc: Local;
  readonly xRow: Local;
  readonly xColBytes: Local;
  readonly ldyBytes: Local;
  /** Loop state: the tile's first row and column, k, and the running addresses. */
  readonly r0: Local;
  readonly c0: Local;
  readonly k: Local;
  readonly y: Local;
  readonly x: readonly Local[];
  /** Accumulators [row][vector], vectors of Y, splatted X, and their scalar twins. */
  readonly acc: readonly (readonly Local[])[];
  readonly scalarAcc: readonly Local[];
  readonly w: readonly Local[];
  readonly scalarW: Local;
  readonly xv: Local;
  readonly xs: Local;
}

/** The address of C-shaped element (r0 + row, c0) + byteOffset in the matrix at `base`. */
function cAddress(p: Product, base: Local, row: number): number[] {
  return code(
    get(base),
    get(p.r0),
    i32.const(row),
    i32.add,
    get(p.ldc),
    i32.mul,
    get(p.c0),
    i32.add,
    i32.const(p.type.shift),
    i32.shl,
    i32.add,
  );
}

/**
 * One tile of `rows` rows and `vectors` vectors (0: one scalar column) at (r0, c0): its
 * accumulators start, take every k, and are stored.
 */
function tile(p: Product, rows: number, vectors: number): number[] {
  const { type, arithmetic } = p;
  const scalar = vectors === 0;
  const rowIndices = Array.from({ length: rows }, (_, r) => r);
  const columns = Array.from({ length: Math.max(vectors, 1) }, (_, v) => v);
  const accumulator = (r: number, v: number) => (scalar ? p.scalarAcc[r] : p.acc[r][v]);
  const load = (offset: number) => (scalar ? type.scalar.load(offset) : v128.load(offset));
  const startValue = (r: number, v: number): Code => {
    if (p.start === 'zero') return scalar ? type.scalar.const(0) : v128.zero;
    const base =
      p.start === 'bias'
        ? code(get(p.bias), get(p.c0), i32.const(type.shift), i32.shl, i32.add)
        : cAddress(p, p.C, r);
    return code(base, load(16 * v));
  };
  const perK = code(
    ...columns.map((v) =>
      scalar ? set(p.scalarW, code(get(p.y), load(0))) : set(p.w[v], code(get(p.y), load(16 * v))),
    ),
    ...rowIndices.map((r) => {
      const xValue = code(get(p.x[r]), type.scalar.load());
      const splatted = scalar ? set(p.xs, xValue) : set(p.xv, code(xValue, type.vector.splat));
      const madds = columns.map((v) =>
        set(
          accumulator(r, v),
          multiplyAdd(
            arithmetic,
            !scalar,
            get(accumulator(r, v)),
            get(scalar ? p.xs : p.xv),
            get(scalar ? p.scalarW : p.w[v]),
          ),
        ),
      );
      return code(splatted, ...madds, increment(p.x[r], get(p.xColBytes)));
    }),
    increment(p.y, get(p.ldyBytes)),
    increment(p.k, 1),
  );
  const store = (r: number, v: number): Code => {
    const value = get(accumulator(r, v));
    if (!p.gated)
      return code(
        cAddress(p, p.C, r),
        value,
        scalar ? type.scalar.store(16 * v) : v128.store(16 * v),
      );
    if (scalar) {
      // value where gate > 0, else +0, as `if (!(Z > 0)) previous = 0`
      return code(
        cAddress(p, p.C, r),
        value,
        type.scalar.const(0),
        cAddress(p, p.gate, r),
        type.scalar.load(),
        type.scalar.const(0),
        type.scalar.gt,
        select,
        type.scalar.store(),
      );
    }
    return code(
      cAddress(p, p.C, r),
      value,
      cAddress(p, p.gate, r),
      v128.load(16 * v),
      v128.zero,
      type.vector.gt,
      v128.and,
      v128.store(16 * v),
    );
  };
  return code(
    ...rowIndices.flatMap((r) => columns.map((v) => set(accumulator(r, v), startValue(r, v)))),
    set(p.k, i32.const(0)),
    set(p.y, code(get(p.Y), get(p.c0), i32.const(type.shift), i32.shl, i32.add)),
    ...rowIndices.map((r) =>
      set(
        p.x[r],
        code(
          get(p.X),
          get(p.r0),
          i32.const(r),
          i32.add,
          get(p.xRow),
          i32.mul,
          i32.const(type.shift),
          i32.shl,
          i32.add,
        ),
      ),
    ),
    loopUntil(code(get(p.k), get(p.K), i32.ge_u), perK),
    ...rowIndices.flatMap((r) => columns.map((v) => store(r, v))),
  );
}

/** Tiles of `rows` rows across all N columns: full tiles, then single vectors, then scalars. */
function tileRow(p: Product, N: Local, rows: number): number[] {
  const lanes = p.type.lanes;
  const across = (width: number, vectors: number) =>
    loopUntil(
      code(get(p.c0), i32.const(width), i32.add, get(N), i32.gt_u),
      code(tile(p, rows, vectors), increment(p.c0, width)),
    );
  return code(
    set(p.c0, i32.const(0)),
    across(lanes * TILE_VECTORS, TILE_VECTORS),
    across(lanes, 1),
    across(1, 0),
  );
}

/** A product function: name, arithmetic, how C starts, and whether it is gated by Z > 0. */
function productFunction(name: string, arithmetic: Arithmetic, start: Start, gated: boolean) {
  const type = floatType(arithmetic.precision);
  const builder = new FunctionBuilder(name);
  const [C, X, Y, bias, gate, M, N, K, ldc, xRow, xCol, ldy] = builder.parameters(
    'C',
    'X',
    'Y',
    'bias',
    'gate',
    'M',
    'N',
    'K',
    'ldc', // row length of C (and of the gate)
    'xRow', // elements from X[r][k] to X[r+1][k]
    'xCol', // elements from X[r][k] to X[r][k+1]
    'ldy', // row length of Y
  );
  const p: Product = {
    arithmetic,
    type,
    start,
    gated,
    C,
    X,
    Y,
    bias,
    gate,
    K,
    ldc,
    xRow,
    xColBytes: builder.local('xColBytes', 'i32'),
    ldyBytes: builder.local('ldyBytes', 'i32'),
    r0: builder.local('r0', 'i32'),
    c0: builder.local('c0', 'i32'),
    k: builder.local('k', 'i32'),
    y: builder.local('y', 'i32'),
    x: Array.from({ length: TILE_ROWS }, (_, r) => builder.local(`x${r}`, 'i32')),
    acc: Array.from({ length: TILE_ROWS }, (_, r) =>
      Array.from({ length: TILE_VECTORS }, (_, v) => builder.local(`acc${r}_${v}`, 'v128')),
    ),
    scalarAcc: Array.from({ length: TILE_ROWS }, (_, r) =>
      builder.local(`sum${r}`, type.valueType),
    ),
    w: Array.from({ length: TILE_VECTORS }, (_, v) => builder.local(`w${v}`, 'v128')),
    scalarW: builder.local('wScalar', type.valueType),
    xv: builder.local('xv', 'v128'),
    xs: builder.local('xs', type.valueType),
  };
  const rowsOf = (rows: number) =>
    loopUntil(
      code(get(p.r0), i32.const(rows), i32.add, get(M), i32.gt_u),
      code(tileRow(p, N, rows), increment(p.r0, rows)),
    );
  return builder.build(
    code(
      set(p.xColBytes, code(get(xCol), i32.const(type.shift), i32.shl)),
      set(p.ldyBytes, code(get(ldy), i32.const(type.shift), i32.shl)),
      set(p.r0, i32.const(0)),
      rowsOf(TILE_ROWS),
      rowsOf(1),
    ),
  );
}

const modules = new Map<string, Uint8Array>();

/** The module of the tiled products (built once per arithmetic). */
export function tileModule(arithmetic: Arithmetic = EXACT_F64): Uint8Array {
  const key = `${arithmetic.precision} ${arithmetic.fused}`;
  let bytes = modules.get(key);
  if (bytes === undefined) {
    bytes = buildModule([
      productFunction('forward', arithmetic, 'bias', false),
      productFunction('gradient', arithmetic, 'accumulate', false),
      productFunction('backDelta', arithmetic, 'zero', true),
    ]);
    modules.set(key, bytes);
  }
  return bytes;
}

/** The tiled products over `memory`, in `arithmetic`, called with views into it. */
export function tileKernels(memory: WasmMemory, arithmetic: Arithmetic = EXACT_F64): TileKernels {
  const module = new KernelModule(tileModule(arithmetic), memory);
  const forward = module.kernel('forward');
  const gradient = module.kernel('gradient');
  const backDelta = module.kernel('backDelta');
  return {
    forward(Z, WT, b, A, count, nOut, nIn) {
      const [z, bias] = [address(Z, 0, count * nOut), address(b, 0, nOut)];
      const [a, wt] = [address(A, 0, count * nIn), address(WT, 0, nIn * nOut)];
      // C = Z (count × nOut), X = A (X[s][j] = A[s·nIn + j]), Y = Wᵀ (nIn × nOut)
      forward(z, a, wt, bias, 0, count, nOut, nIn, nOut, nIn, 1, nOut);
    },
    gradient(gradientW, delta, A, count, nOut, nIn) {
      const g = address(gradientW, 0, nOut * nIn);
      const [d, a] = [address(delta, 0, count * nOut), address(A, 0, count * nIn)];
      // C = ∂C/∂W (nOut × nIn), X = Δᵀ (X[i][s] = Δ[s·nOut + i]), Y = A (count × nIn)
      gradient(g, d, a, 0, 0, nOut, nIn, count, nIn, 1, nOut, nIn);
    },
    backDelta(previous, W, delta, Z, count, nOut, nIn) {
      const [p, z] = [address(previous, 0, count * nIn), address(Z, 0, count * nIn)];
      const [w, d] = [address(W, 0, nOut * nIn), address(delta, 0, count * nOut)];
      // C = Δ⁽ℓ⁻¹⁾ (count × nIn), X = Δ⁽ℓ⁾ (X[s][i] = Δ[s·nOut + i]), Y = W (nOut × nIn)
      backDelta(p, d, w, 0, z, count, nIn, nOut, nIn, nOut, 1, nIn);
    },
  };
}
