/**
 * Fused recurrent cells (PyTorch's gate order and formulas). The caller computes the input and hidden
 * projections with matmuls; these ops do the gate nonlinearities and the state update in one kernel.
 */
import { kernelsFor } from '../backend.js';
import { ShapeError, fmt } from '../errors.js';
import { Tensor, empty, live, record } from '../tensor.js';

/**
 * LSTM cell: gates (N,4H) = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh in i|f|g|o order, c (N,H) →
 * c' = σ(f) c + σ(i) tanh(g), h' = σ(o) tanh(c').
 */
export function lstmCell(gates: Tensor, c: Tensor): { h: Tensor; c: Tensor } {
  live(gates);
  live(c);
  const [N, H] = c.shape;
  if (c.ndim !== 2 || gates.ndim !== 2 || gates.shape[0] !== N || gates.shape[1] !== 4 * H)
    throw new ShapeError(
      `lstmCell: gates ${gates.describe()} must be (N, 4H) for c ${c.describe()} = (N, H)`,
    );
  const act = empty([N, 4 * H], c.dtype);
  const cNext = empty([N, H], c.dtype);
  const tanhC = empty([N, H], c.dtype);
  const hNext = empty([N, H], c.dtype);
  const k = kernelsFor(c.data);
  k.lstmCellForward(gates.data, c.data, act.data, cNext.data, tanhC.data, hNext.data, N, H);
  record('lstmCell', [gates, c], [hNext, cNext], () => {
    k.lstmCellBackward(
      act.data,
      c.data,
      tanhC.data,
      hNext.grad,
      cNext.grad,
      gates.requiresGrad ? gates.ensureGrad() : new Float32Array(N * 4 * H),
      c.requiresGrad ? c.ensureGrad() : null,
      N,
      H,
    );
  });
  return { h: hNext, c: cNext };
}

/**
 * GRU cell: gi = x W_ihᵀ + b_ih and gh = h W_hhᵀ + b_hh (N,3H) in r|z|n order, h (N,H) →
 * n = tanh(gi_n + r · gh_n), h' = (1 − z) n + z h.
 */
export function gruCell(gi: Tensor, gh: Tensor, h: Tensor): Tensor {
  live(gi);
  live(gh);
  live(h);
  const [N, H] = h.shape;
  if (h.ndim !== 2 || fmt(gi.shape) !== fmt([N, 3 * H]) || fmt(gh.shape) !== fmt([N, 3 * H]))
    throw new ShapeError(
      `gruCell: gi ${gi.describe()} and gh ${gh.describe()} must be (N, 3H) for h ${h.describe()} = (N, H)`,
    );
  const act = empty([N, 3 * H], h.dtype);
  const hNext = empty([N, H], h.dtype);
  const k = kernelsFor(h.data);
  k.gruCellForward(gi.data, gh.data, h.data, act.data, hNext.data, N, H);
  record('gruCell', [gi, gh, h], [hNext], () => {
    k.gruCellBackward(
      gh.data,
      h.data,
      act.data,
      hNext.grad!,
      gi.requiresGrad ? gi.ensureGrad() : null,
      gh.requiresGrad ? gh.ensureGrad() : null,
      h.requiresGrad ? h.ensureGrad() : null,
      N,
      H,
    );
  });
  return hNext;
}
