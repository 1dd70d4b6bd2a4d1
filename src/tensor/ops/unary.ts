/**
 * Element-wise functions, each as a forward formula and its derivative side by side:
 * exp, log, tanh, sigmoid, log-sigmoid, relu, and GELU (the tanh approximation used by GPT-2:
 * 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))), which is what PyTorch computes with approximate='tanh').
 */
import { kernelsFor } from '../backend.js';
import { Tensor, empty, live, record, type Floats } from '../tensor.js';

/** Builds a unary op from y = f(x) and dx += dy · f'(x, y). */
function unary(op: string, f: (x: number) => number, df: (x: number, y: number) => number) {
  return (x: Tensor): Tensor => {
    live(x);
    const out = empty(x.shape, x.dtype);
    const a = x.data;
    const z = out.data;
    for (let i = 0; i < z.length; i++) z[i] = f(a[i]);
    record(op, [x], [out], () => {
      const g = out.grad!;
      const gx = x.ensureGrad();
      for (let i = 0; i < gx.length; i++) gx[i] += g[i] * df(a[i], z[i]);
    });
    return out;
  };
}

/** e^x. */
export const exp = unary('exp', Math.exp, (_x, y) => y);
/** Natural logarithm. */
export const log = unary('log', Math.log, (x) => 1 / x);
/** Hyperbolic tangent. */
export const tanh = unary('tanh', Math.tanh, (_x, y) => 1 - y * y);
/** Logistic sigmoid 1 / (1 + e^−x). */
export const sigmoid = unary(
  'sigmoid',
  (x) => 1 / (1 + Math.exp(-x)),
  (_x, y) => y * (1 - y),
);
/** ln σ(x) = −softplus(−x), computed without overflow; its derivative is σ(−x). */
export const logSigmoid = unary(
  'logSigmoid',
  (x) => (x < 0 ? x - Math.log1p(Math.exp(x)) : -Math.log1p(Math.exp(-x))),
  (x) => 1 / (1 + Math.exp(x)),
);
/** max(0, x). */
export const relu = unary(
  'relu',
  (x) => (x > 0 ? x : 0),
  (x) => (x > 0 ? 1 : 0),
);

/** GELU, tanh approximation (as GPT-2); a fused kernel on both backends. */
export function gelu(x: Tensor): Tensor {
  live(x);
  const out = empty(x.shape, x.dtype);
  const k = kernelsFor(x.data);
  k.geluForward(x.data, out.data, x.size);
  record('gelu', [x], [out], () => {
    const gx: Floats = x.ensureGrad();
    k.geluBackward(x.data, out.grad!, gx, x.size);
  });
  return out;
}
