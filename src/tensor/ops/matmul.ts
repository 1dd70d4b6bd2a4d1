/**
 * Matrix product with optional transposes of the last two axes, batched over leading axes.
 * a (...,M,K) @ b (K,N) folds a's leading axes into M (one gemm); a (...,M,K) @ b (...,K,N) with equal
 * leading axes runs one gemm per batch. With transA/transB the stored matrices are (K,M) / (N,K).
 */
import { kernelsFor } from '../backend.js';
import { ShapeError, fmt } from '../errors.js';
import { Tensor, empty, live, numel, record } from '../tensor.js';

/** Options of matmul: whether a and/or b are stored transposed in their last two axes. */
export interface MatmulOptions {
  transA?: boolean;
  transB?: boolean;
}

/** a @ b (with the given transposes): see the file comment for the accepted shapes. */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  live(a);
  live(b);
  const ta = opts.transA ?? false;
  const tb = opts.transB ?? false;
  const fail = (why: string) =>
    new ShapeError(
      `matmul: cannot multiply ${a.describe()}${ta ? 'ᵀ' : ''} by ${b.describe()}${tb ? 'ᵀ' : ''}: ${why}`,
    );
  if (a.ndim < 2 || b.ndim < 2) throw fail('both operands need at least 2 dimensions');
  if (a.dtype !== b.dtype) throw fail(`dtypes differ (${a.dtype}, ${b.dtype})`);
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const M = ta ? ac : ar;
  const K = ta ? ar : ac;
  const Kb = tb ? bc : br;
  const N = tb ? br : bc;
  if (K !== Kb) throw fail(`inner dimensions ${K} and ${Kb} differ`);
  const lead = a.shape.slice(0, -2);
  let batch: number;
  let rows: number; // rows of the (possibly folded) A operand
  let shared: boolean; // b is one matrix shared across a's batch
  if (b.ndim === 2 && !ta) {
    shared = true;
    batch = 1;
    rows = M * numel(lead);
  } else {
    if (fmt(b.shape.slice(0, -2)) !== fmt(lead))
      throw fail(`batch dimensions ${fmt(lead)} and ${fmt(b.shape.slice(0, -2))} differ`);
    shared = false;
    batch = numel(lead);
    rows = M;
  }
  const out = empty([...lead, M, N], a.dtype);
  const k = kernelsFor(a.data);
  const lda = ta ? M : K;
  const ldb = tb ? K : N;
  const sA = shared ? 0 : M * K;
  const sB = shared ? 0 : K * N;
  const sC = shared ? 0 : M * N;
  // out (rows,N) = op(A) (rows,K) op(B) (K,N), per batch
  k.gemm(ta, tb, rows, N, K, 1, a.data, 0, lda, b.data, 0, ldb, 0, out.data, 0, N, batch, sA, sB, sC);

  record('matmul', [a, b], [out], () => {
    const dC = out.grad!;
    if (a.requiresGrad) {
      const [dA, beta] = a.gradTarget();
      // dop(A) = dC op(B)ᵀ (rows,K); stored transposed: dA (K,M) = op(B) dCᵀ
      if (!ta) k.gemm(false, !tb, rows, K, N, 1, dC, 0, N, b.data, 0, ldb, beta, dA, 0, K, batch, sC, sB, sA);
      else k.gemm(tb, true, K, M, N, 1, b.data, 0, ldb, dC, 0, N, beta, dA, 0, M, batch, sB, sC, sA);
    }
    if (b.requiresGrad) {
      const [dB, beta] = b.gradTarget();
      // dop(B) = op(A)ᵀ dC (K,N); stored transposed: dB (N,K) = dCᵀ op(A)
      if (!tb) k.gemm(!ta, false, K, N, rows, 1, a.data, 0, lda, dC, 0, N, beta, dB, 0, N, batch, sA, sC, sB);
      else k.gemm(true, ta, N, K, rows, 1, dC, 0, N, a.data, 0, lda, beta, dB, 0, K, batch, sC, sA, sB);
    }
  });
  return out;
}
