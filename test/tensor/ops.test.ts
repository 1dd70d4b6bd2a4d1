import { describe, it } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { IntTensor } from '../../src/tensor/index.js';
import { checkOp, type OpCase } from './gradcheck.js';
import { testBackends } from './backends.js';

const ids = IntTensor.from([3, 0, 3, 5, 1, 2], [2, 3]);
const targets = IntTensor.from([1, 4, -100, 0, 2, 4], [2, 3]);

const cases: OpCase[] = [
  { name: 'matmul', inputs: [{ shape: [3, 4] }, { shape: [4, 5] }], fn: ([a, b]) => T.matmul(a, b) },
  {
    name: 'matmul transA',
    inputs: [{ shape: [4, 3] }, { shape: [4, 5] }],
    fn: ([a, b]) => T.matmul(a, b, { transA: true }),
  },
  {
    name: 'matmul transB',
    inputs: [{ shape: [3, 4] }, { shape: [5, 4] }],
    fn: ([a, b]) => T.matmul(a, b, { transB: true }),
  },
  {
    name: 'matmul transA transB',
    inputs: [{ shape: [4, 3] }, { shape: [5, 4] }],
    fn: ([a, b]) => T.matmul(a, b, { transA: true, transB: true }),
  },
  {
    name: 'matmul batched',
    inputs: [{ shape: [2, 3, 4] }, { shape: [2, 4, 5] }],
    fn: ([a, b]) => T.matmul(a, b),
  },
  {
    name: 'matmul batched transposes',
    inputs: [{ shape: [2, 2, 4, 3] }, { shape: [2, 2, 5, 4] }],
    fn: ([a, b]) => T.matmul(a, b, { transA: true, transB: true }),
  },
  {
    name: 'matmul shared weight (linear)',
    inputs: [{ shape: [2, 3, 4] }, { shape: [5, 4] }],
    fn: ([a, b]) => T.matmul(a, b, { transB: true }),
  },
  { name: 'add same shape', inputs: [{ shape: [2, 3] }, { shape: [2, 3] }], fn: ([a, b]) => T.add(a, b) },
  {
    name: 'add row broadcast',
    inputs: [{ shape: [2, 3, 4] }, { shape: [3, 4] }],
    fn: ([a, b]) => T.add(a, b),
  },
  {
    name: 'sub general broadcast',
    inputs: [{ shape: [2, 1, 3] }, { shape: [4, 1] }],
    fn: ([a, b]) => T.sub(a, b),
  },
  {
    name: 'mul broadcast',
    inputs: [{ shape: [2, 1, 3] }, { shape: [1, 4, 1] }],
    fn: ([a, b]) => T.mul(a, b),
  },
  { name: 'mul scalar tensor', inputs: [{ shape: [3, 2] }, { shape: [] }], fn: ([a, b]) => T.mul(a, b) },
  {
    name: 'div broadcast',
    inputs: [{ shape: [3, 4] }, { shape: [3, 1], kind: 'away' }],
    fn: ([a, b]) => T.div(a, b),
  },
  { name: 'affine', inputs: [{ shape: [5] }], fn: ([a]) => T.affine(a, -1.5, 0.25) },
  { name: 'sum all', inputs: [{ shape: [2, 3, 4] }], fn: ([a]) => T.sum(a) },
  {
    name: 'sum axis keepDims',
    inputs: [{ shape: [2, 3, 4] }],
    fn: ([a]) => T.sum(a, { axes: [1], keepDims: true }),
  },
  { name: 'mean axes', inputs: [{ shape: [2, 3, 4] }], fn: ([a]) => T.mean(a, { axes: [0, -1] }) },
  { name: 'reshape', inputs: [{ shape: [2, 6] }], fn: ([a]) => T.reshape(a, [3, -1, 2]) },
  { name: 'permute', inputs: [{ shape: [2, 3, 4] }], fn: ([a]) => T.permute(a, [2, 0, 1]) },
  { name: 'transpose', inputs: [{ shape: [2, 3, 4] }], fn: ([a]) => T.transpose(a, 0, 1) },
  {
    name: 'concat',
    inputs: [{ shape: [2, 3, 2] }, { shape: [2, 1, 2] }],
    fn: ([a, b]) => T.concat([a, b, a], 1),
  },
  {
    name: 'split',
    inputs: [{ shape: [3, 5] }],
    fn: ([a]) => {
      const [p, q] = T.split(a, [2, 3], 1);
      return T.concat([q, T.scale(p, 2)], 1);
    },
  },
  { name: 'slice', inputs: [{ shape: [4, 3] }], fn: ([a]) => T.slice(a, 0, 1, 3) },
  { name: 'slice inner axis', inputs: [{ shape: [2, 5, 3] }], fn: ([a]) => T.slice(a, -2, 2, 5) },
  { name: 'embedding', inputs: [{ shape: [6, 4] }], ints: [ids], fn: ([w], [i]) => T.embedding(w, i) },
  { name: 'exp', inputs: [{ shape: [7] }], fn: ([a]) => T.exp(a) },
  { name: 'log', inputs: [{ shape: [7], kind: 'positive' }], fn: ([a]) => T.log(a) },
  { name: 'tanh', inputs: [{ shape: [7] }], fn: ([a]) => T.tanh(a) },
  { name: 'sigmoid', inputs: [{ shape: [7] }], fn: ([a]) => T.sigmoid(a) },
  { name: 'relu', inputs: [{ shape: [7], kind: 'away' }], fn: ([a]) => T.relu(a) },
  { name: 'gelu', inputs: [{ shape: [3, 9] }], fn: ([a]) => T.gelu(a) },
  {
    name: 'dropout (seeded)',
    inputs: [{ shape: [4, 8] }],
    fn: ([a]) => T.dropout(a, 0.3, new T.Rng(7)),
  },
  {
    name: 'layerNorm',
    inputs: [{ shape: [2, 3, 8] }, { shape: [8] }, { shape: [8] }],
    fn: ([x, w, b]) => T.layerNorm(x, w, b),
  },
  { name: 'layerNorm no affine', inputs: [{ shape: [3, 5] }], fn: ([x]) => T.layerNorm(x, null, null) },
  { name: 'rmsNorm', inputs: [{ shape: [3, 6] }, { shape: [6] }], fn: ([x, w]) => T.rmsNorm(x, w) },
  { name: 'softmax', inputs: [{ shape: [3, 7] }], fn: ([x]) => T.softmax(x) },
  { name: 'logSoftmax', inputs: [{ shape: [3, 7] }], fn: ([x]) => T.logSoftmax(x) },
  {
    name: 'crossEntropy with ignore index',
    inputs: [{ shape: [2, 3, 5] }],
    ints: [targets],
    fn: ([x], [t]) => T.crossEntropy(x, t),
  },
  {
    name: 'crossEntropy weighted sum',
    inputs: [{ shape: [2, 3, 5] }],
    ints: [targets],
    fn: ([x], [t]) =>
      T.crossEntropy(x, t, { weights: Float32Array.from([1, 0.5, 1, 0, 2, 1]), reduction: 'sum' }),
  },
  { name: 'logSigmoid', inputs: [{ shape: [3, 4] }], fn: ([x]) => T.logSigmoid(T.scale(x, 8)) },
  {
    name: 'gatherRows (a row picked twice, one never)',
    inputs: [{ shape: [4, 3] }],
    fn: ([x]) => T.gatherRows(x, Int32Array.from([2, 0, 2])),
  },
  {
    name: 'tokenLogProbs (ignored targets give 0)',
    inputs: [{ shape: [2, 3, 5] }],
    ints: [targets],
    fn: ([x], [t]) => T.tokenLogProbs(x, t),
  },
  {
    // ratios spread over both sides of the clip range, advantages of both signs
    name: 'clippedSurrogate',
    inputs: [{ shape: [8] }],
    fn: ([x]) =>
      T.clippedSurrogate(
        T.scale(x, 0.3),
        [0, 0.1, -0.1, 0.35, -0.4, 0.05, 0.5, -0.02],
        [1.5, -0.7, 0.9, -1.2, 2, 0.3, -0.4, 1],
        0.2,
      ),
  },
  {
    name: 'clippedValueLoss',
    inputs: [{ shape: [6] }],
    fn: ([v]) => T.clippedValueLoss(v, [0.1, -0.5, 2, 0, 1, -1], [1, 0.2, -1, 0.3, -2, 0.5], 0.2),
  },
  {
    name: 'causalSelfAttention',
    inputs: [{ shape: [2, 5, 24] }],
    fn: ([qkv]) => T.causalSelfAttention(qkv, 2),
  },
  {
    name: 'causalSelfAttention over several 32-row blocks',
    inputs: [{ shape: [2, 70, 12] }],
    fn: ([qkv]) => T.causalSelfAttention(qkv, 2),
  },
  {
    name: 'selfAttention (bidirectional)',
    inputs: [{ shape: [2, 5, 24] }],
    fn: ([qkv]) => T.selfAttention(qkv, 2),
  },
  {
    name: 'selfAttention with a padding mask',
    inputs: [{ shape: [2, 5, 24] }],
    ints: [T.IntTensor.from([1, 1, 1, 0, 0, 1, 1, 1, 1, 1], [2, 5])],
    fn: ([qkv], [mask]) => T.selfAttention(qkv, 2, mask),
  },
  {
    name: 'selfAttention over 40 positions, 3 heads, a padded row',
    inputs: [{ shape: [2, 40, 36] }],
    ints: [T.IntTensor.from([...Array(40).fill(1), ...Array(33).fill(1), ...Array(7).fill(0)], [2, 40])],
    fn: ([qkv], [mask]) => T.selfAttention(T.layerNorm(qkv, null, null), 3, mask),
  },
  {
    name: 'multiHeadAttention: cross-attention with a key padding mask',
    inputs: [{ shape: [2, 3, 12] }, { shape: [2, 5, 12] }, { shape: [2, 5, 12] }],
    ints: [T.IntTensor.from([1, 1, 1, 0, 0, 1, 1, 1, 1, 1], [2, 5])],
    fn: ([q, k, v], [mask]) => T.multiHeadAttention(q, k, v, 3, { keyMask: mask }),
  },
  {
    name: 'multiHeadAttention: relative position bias, no scaling, padded keys',
    inputs: [{ shape: [2, 4, 8] }, { shape: [2, 4, 8] }, { shape: [2, 4, 8] }, { shape: [2, 4, 4] }],
    ints: [T.IntTensor.from([1, 1, 1, 0, 1, 1, 1, 1], [2, 4])],
    fn: ([q, k, v, bias], [mask]) => T.multiHeadAttention(q, k, v, 2, { bias, scale: 1, keyMask: mask }),
  },
  {
    name: 'multiHeadAttention: causal with a bias',
    inputs: [{ shape: [2, 5, 8] }, { shape: [2, 5, 8] }, { shape: [2, 5, 8] }, { shape: [2, 5, 5] }],
    fn: ([q, k, v, bias]) => T.multiHeadAttention(q, k, v, 2, { bias, causal: true }),
  },
  {
    name: 'multiHeadAttention: 2 new queries over 6 cached keys, causal',
    inputs: [{ shape: [1, 2, 8] }, { shape: [1, 6, 8] }, { shape: [1, 6, 8] }, { shape: [2, 2, 6] }],
    fn: ([q, k, v, bias]) => T.multiHeadAttention(q, k, v, 2, { bias, causal: true, scale: 1 }),
  },
  {
    name: 'multiHeadAttention: keys and values one tensor',
    inputs: [{ shape: [2, 3, 8] }, { shape: [2, 4, 8] }],
    fn: ([q, kv]) => T.multiHeadAttention(q, kv, kv, 4),
  },
  {
    name: 'lstmCell',
    inputs: [{ shape: [3, 16] }, { shape: [3, 4] }],
    fn: ([g, c]) => {
      const s = T.lstmCell(g, c);
      return T.concat([s.h, s.c], 1);
    },
  },
  {
    name: 'gruCell',
    inputs: [{ shape: [3, 12] }, { shape: [3, 12] }, { shape: [3, 4] }],
    fn: ([gi, gh, h]) => T.gruCell(gi, gh, h),
  },
];

describe('tensor ops: gradients match finite differences and every backend matches float64 ref', () => {
  const backends = testBackends();
  for (const c of cases) {
    it(c.name, () => checkOp(c, backends));
  }
  it('matmul with random shapes', () => {
    const rng = new T.Rng(99);
    for (let trial = 0; trial < 6; trial++) {
      const [m, k, n] = [1 + rng.int(7), 1 + rng.int(7), 1 + rng.int(7)];
      const ta = rng.uniform() < 0.5;
      const tb = rng.uniform() < 0.5;
      checkOp(
        {
          name: `matmul ${m}x${k}x${n} ${ta} ${tb}`,
          inputs: [{ shape: ta ? [k, m] : [m, k] }, { shape: tb ? [n, k] : [k, n] }],
          fn: ([a, b]) => T.matmul(a, b, { transA: ta, transB: tb }),
        },
        backends,
        trial,
      );
    }
  });
  it('attention and layerNorm with random shapes', () => {
    const rng = new T.Rng(5);
    for (let trial = 0; trial < 4; trial++) {
      const [B, Tn, H, hs] = [1 + rng.int(3), 1 + rng.int(9), 1 + rng.int(3), 1 + rng.int(5)];
      checkOp(
        {
          name: `attention B${B} T${Tn} H${H} hs${hs}`,
          inputs: [{ shape: [B, Tn, 3 * H * hs] }],
          fn: ([x]) => T.causalSelfAttention(T.layerNorm(x, null, null), H),
        },
        backends,
        trial,
      );
    }
  });
});
