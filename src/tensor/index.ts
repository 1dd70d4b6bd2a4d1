/** The tensor engine's public surface: Tensor, autograd controls, ops, backends and the RNG. */
export {
  Tensor,
  IntTensor,
  noGrad,
  tidy,
  keep,
  release,
  isGradEnabled,
  numel,
  type Floats,
  type DType,
} from './tensor.js';
export { ShapeError, NonFiniteError } from './errors.js';
export {
  kernels,
  setBlasThreads,
  setBackend,
  nativeAvailable,
  backendInfo,
  type Kernels,
  type BackendName,
} from './backend.js';
export { clearPool, pooledByteCount } from './pool.js';
export { Rng } from '../util/rng.js';
export { matmul, type MatmulOptions } from './ops/matmul.js';
export { add, sub, mul, div, affine, scale } from './ops/elementwise.js';
export { sum, mean, type ReduceOptions } from './ops/reduce.js';
export { reshape, permute, transpose, concat, split, slice } from './ops/shape.js';
export { embedding } from './ops/embedding.js';
export { exp, log, tanh, sigmoid, logSigmoid, relu, gelu } from './ops/unary.js';
export { gatherRows } from './ops/gather.js';
export { tokenLogProbs } from './ops/token-log-probs.js';
export { clippedSurrogate, clippedValueLoss } from './ops/ppo.js';
export { dropout } from './ops/dropout.js';
export { layerNorm, rmsNorm } from './ops/norm.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { crossEntropy, type CrossEntropyOptions } from './ops/cross-entropy.js';
export { causalSelfAttention, selfAttention } from './ops/attention.js';
export { multiHeadAttention, type AttentionOptions } from './ops/multi-head-attention.js';
export { lstmCell, gruCell } from './ops/recurrent.js';
export { argmax, topk } from './ops/select.js';
export { tensor, zeros, ones, randn, fromArray } from './create.js';
