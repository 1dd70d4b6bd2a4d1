/**
 * The kernel interface both backends implement, and the choice between them: `native` (the C++
 * addon over OpenBLAS) when it loads, else `ref` (plain TypeScript); LMKIT_BACKEND=ref|native forces one.
 * Backward kernels accumulate (+=) into their gradient outputs. Float64 data always runs on `ref`.
 */
import { LmkitError } from '../errors.js';
import type { Floats } from './tensor.js';
import { refKernels } from './backends/ref.js';
import { loadNative, type NativeInfo } from './backends/native.js';

/** An optional kernel argument (absent weight, bias or gradient). */
export type Maybe<T> = T | null;

/** Every kernel an op may call. Shapes are given as sizes; arrays are row-major. */
export interface Kernels {
  readonly name: 'ref' | 'native';
  /** For each b < batch: C_b = alpha op(A_b) op(B_b) + beta C_b; op(A) is M×K, op(B) is K×N, X_b at xOff + b·sX. */
  gemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    alpha: number,
    A: Floats,
    aOff: number,
    lda: number,
    B: Floats,
    bOff: number,
    ldb: number,
    beta: number,
    C: Floats,
    cOff: number,
    ldc: number,
    batch: number,
    strideA: number,
    strideB: number,
    strideC: number,
  ): void;
  /** out[i] = a[i] + sign · b[i mod m] (m divides n): same-shape and row-broadcast add/sub. */
  addBroadcast(a: Floats, b: Floats, out: Floats, n: number, m: number, sign: number): void;
  /** dst[i mod m] += sign · g[i] (m divides n): the backward of addBroadcast. */
  accumulateBroadcast(g: Floats, dst: Floats, n: number, m: number, sign: number): void;
  /** Σ a[i]² over the first n elements. */
  sumSquares(a: Floats, n: number): number;
  /** a[i] ·= s. */
  scaleInPlace(a: Floats, n: number, s: number): void;
  /** y = GELU(x), tanh approximation (as GPT-2). */
  geluForward(x: Floats, y: Floats, n: number): void;
  /** dx += GELU'(x) dy. */
  geluBackward(x: Floats, dy: Floats, dx: Floats, n: number): void;
  /** Row-wise layernorm of x (N,C); writes y (N,C), mean and rstd (N). */
  layernormForward(
    x: Floats,
    w: Maybe<Floats>,
    b: Maybe<Floats>,
    y: Floats,
    mean: Floats,
    rstd: Floats,
    N: number,
    C: number,
    eps: number,
  ): void;
  /** Accumulates the layernorm gradients into dx (N,C), dw and db (C) where given. */
  layernormBackward(
    dy: Floats,
    x: Floats,
    w: Maybe<Floats>,
    mean: Floats,
    rstd: Floats,
    dx: Maybe<Floats>,
    dw: Maybe<Floats>,
    db: Maybe<Floats>,
    N: number,
    C: number,
  ): void;
  /** Row-wise RMSNorm of x (N,C); writes y (N,C) and rstd (N). */
  rmsnormForward(
    x: Floats,
    w: Maybe<Floats>,
    y: Floats,
    rstd: Floats,
    N: number,
    C: number,
    eps: number,
  ): void;
  /** Accumulates the RMSNorm gradients into dx (N,C) and dw (C) where given. */
  rmsnormBackward(
    dy: Floats,
    x: Floats,
    w: Maybe<Floats>,
    rstd: Floats,
    dx: Maybe<Floats>,
    dw: Maybe<Floats>,
    N: number,
    C: number,
  ): void;
  /** Softmax (or log-softmax) over the last axis of x (rows, cols). */
  softmaxForward(x: Floats, y: Floats, rows: number, cols: number, log: boolean): void;
  /** dx += the vector-Jacobian product of (log-)softmax given its output y. */
  softmaxBackward(y: Floats, dy: Floats, dx: Floats, rows: number, cols: number, log: boolean): void;
  /** probs = softmax(logits) (N,V); losses[i] = −log probs[i, t_i], 0 where t_i is ignoreIndex. */
  crossEntropyForward(
    logits: Floats,
    targets: Int32Array,
    N: number,
    V: number,
    ignoreIndex: number,
    probs: Floats,
    losses: Floats,
  ): void;
  /** dlogits[i] += rowScale[i] (probs[i] − onehot(t_i)) for rows not ignored. */
  crossEntropyBackward(
    probs: Floats,
    targets: Int32Array,
    rowScale: Floats,
    dlogits: Floats,
    N: number,
    V: number,
    ignoreIndex: number,
  ): void;
  /** Causal self-attention over qkv (B,T,3C) with H heads: y (B,T,C), att (B,H,T,T) saved for backward. */
  attentionForward(qkv: Floats, y: Floats, att: Floats, B: number, T: number, C: number, H: number): void;
  /** dqkv += the gradient of attentionForward given dy (B,T,C). */
  attentionBackward(
    dy: Floats,
    qkv: Floats,
    att: Floats,
    dqkv: Floats,
    B: number,
    T: number,
    C: number,
    H: number,
  ): void;
  /** y[i] = weight[ids[i]]; weight (V,C), y (N,C). */
  embeddingForward(weight: Floats, ids: Int32Array, y: Floats, N: number, V: number, C: number): void;
  /** dweight[ids[i]] += dy[i]. */
  embeddingBackward(dy: Floats, ids: Int32Array, dweight: Floats, N: number, V: number, C: number): void;
  /** One AdamW update of n parameters in place (PyTorch's formula; weightDecay 0 gives Adam). */
  adamw(
    p: Floats,
    g: Floats,
    m: Floats,
    v: Floats,
    n: number,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    step: number,
  ): void;
  /** LSTM cell: gates (N,4H) i|f|g|o pre-activations and c (N,H) → act (N,4H), cNext, tanhC, hNext (N,H). */
  lstmCellForward(
    gates: Floats,
    c: Floats,
    act: Floats,
    cNext: Floats,
    tanhC: Floats,
    hNext: Floats,
    N: number,
    H: number,
  ): void;
  /** Accumulates LSTM cell gradients into dgates (N,4H) and dcPrev (N,H). */
  lstmCellBackward(
    act: Floats,
    c: Floats,
    tanhC: Floats,
    dh: Maybe<Floats>,
    dc: Maybe<Floats>,
    dgates: Floats,
    dcPrev: Maybe<Floats>,
    N: number,
    H: number,
  ): void;
  /** GRU cell: gi, gh (N,3H) r|z|n projections and h (N,H) → act (N,3H) r|z|n and hNext (N,H). */
  gruCellForward(gi: Floats, gh: Floats, h: Floats, act: Floats, hNext: Floats, N: number, H: number): void;
  /** Accumulates GRU cell gradients into dgi, dgh (N,3H) and dh (N,H) where given. */
  gruCellBackward(
    gh: Floats,
    h: Floats,
    act: Floats,
    dhNext: Floats,
    dgi: Maybe<Floats>,
    dgh: Maybe<Floats>,
    dh: Maybe<Floats>,
    N: number,
    H: number,
  ): void;
}

/** The two kernel backends. */
export type BackendName = 'ref' | 'native';

let active: Kernels | null = null;
let nativeKernels: Kernels | null = null;
let nativeError: string | null = null;
let warned = false;

function tryNative(): Kernels | null {
  if (nativeKernels || nativeError) return nativeKernels;
  try {
    nativeKernels = loadNative();
  } catch (err) {
    nativeError = err instanceof Error ? err.message : String(err);
  }
  return nativeKernels;
}

function choose(): Kernels {
  const want = process.env.LMKIT_BACKEND;
  if (want === 'ref') return refKernels;
  if (want !== undefined && want !== '' && want !== 'native')
    throw new LmkitError(`LMKIT_BACKEND must be 'ref' or 'native', got '${want}'`);
  const k = tryNative();
  if (k) return k;
  if (want === 'native')
    throw new LmkitError(`LMKIT_BACKEND=native but the native addon did not load: ${nativeError}`, {
      hint: "install g++ and libopenblas-dev, then run 'node scripts/build-native.mjs' in the lmkit folder",
    });
  if (!warned) {
    warned = true;
    process.stderr.write(
      `lmkit: warning: native tensor addon not available (${nativeError}); using the slower ref backend. ` +
        `Install g++ and libopenblas-dev, then run 'node scripts/build-native.mjs' in the lmkit folder.\n`,
    );
  }
  return refKernels;
}

/** The kernels ops use for float32 data. */
export function kernels(): Kernels {
  return (active ??= choose());
}

/** The kernels for data of this array type (float64 always runs on ref). */
export function kernelsFor(data: Floats): Kernels {
  return data instanceof Float64Array ? refKernels : (active ??= choose());
}

/** Switches the backend for the rest of the process (tests, benchmarks). */
export function setBackend(name: BackendName): void {
  if (name === 'ref') active = refKernels;
  else {
    const k = tryNative();
    if (!k) throw new LmkitError(`the native backend is not available: ${nativeError}`);
    active = k;
  }
}

/** Sets the number of threads OpenBLAS uses (no effect on the ref backend); LMKIT_THREADS sets it at load. */
export function setBlasThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1)
    throw new LmkitError(`thread count must be a whole number ≥ 1, got ${n}`);
  const nat = tryNative() as (Kernels & { setThreads?: (n: number) => void }) | null;
  nat?.setThreads?.(n);
}

/** Whether the native addon can be loaded here. */
export function nativeAvailable(): boolean {
  return tryNative() !== null;
}

/** What `doctor` reports: the backend in use and, when loaded, OpenBLAS's own description. */
export interface BackendInfo {
  backend: BackendName;
  nativeLoaded: boolean;
  nativeError: string | null;
  blas: NativeInfo | null;
}

/** Describes the backend in use and the BLAS under it. */
export function backendInfo(): BackendInfo {
  const k = kernels();
  const nat = tryNative() as (Kernels & { info?: () => NativeInfo }) | null;
  return {
    backend: k.name,
    nativeLoaded: nat !== null,
    nativeError,
    blas: nat?.info ? nat.info() : null,
  };
}
