import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as T from '../../src/tensor/index.js';
import { IntTensor, NonFiniteError, ShapeError, Tensor } from '../../src/tensor/index.js';

function param(values: number[], shape: number[]): Tensor {
  return new Tensor(Float32Array.from(values), shape, true);
}

describe('autograd', () => {
  it('accumulates the gradient of a tensor used twice', () => {
    const x = param([3], [1]);
    T.sum(T.mul(x, x)).backward();
    assert.deepEqual(Array.from(x.grad!), [6]);
  });

  it('accumulates across backward calls until zeroGrad (gradient accumulation)', () => {
    const x = param([1, 2], [2]);
    T.sum(T.scale(x, 3)).backward();
    T.sum(T.scale(x, 3)).backward();
    assert.deepEqual(Array.from(x.grad!), [6, 6]);
    x.zeroGrad();
    assert.deepEqual(Array.from(x.grad!), [0, 0]);
  });

  it('records nothing under noGrad', () => {
    const x = param([1, 2], [2]);
    const y = T.noGrad(() => T.scale(x, 2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.node, null);
  });

  it('refuses backward from a NaN loss with a NonFiniteError', () => {
    const x = param([-1], [1]);
    const loss = T.sum(T.log(x));
    assert.throws(() => loss.backward(), NonFiniteError);
  });

  it('refuses backward from a non-scalar without a gradient', () => {
    const x = param([1, 2], [2]);
    assert.throws(() => T.scale(x, 2).backward(), /one-element loss/);
  });

  it('frees the graph after backward', () => {
    const x = param([1, 2], [2]);
    const y = T.scale(x, 2);
    const loss = T.sum(y);
    loss.backward();
    assert.equal(loss.node, null);
    assert.equal(y.grad, null);
  });

  it('refuses a second backward through a freed graph', () => {
    const x = param([1, 2], [2]);
    const loss = T.sum(T.scale(x, 2));
    loss.backward();
    assert.throws(() => loss.backward(), /was freed by an earlier backward/);
  });

  it('handles a deep graph without recursion limits', () => {
    const x = param([0.5], [1]);
    let y: Tensor = x;
    for (let i = 0; i < 20000; i++) y = T.affine(y, 1, 0.0001);
    T.sum(y).backward();
    assert.equal(x.grad![0], 1);
  });
});

describe('tidy and buffer reuse', () => {
  it('releases op results made inside tidy except the returned ones', () => {
    const x = param([1, 2, 3, 4], [2, 2]);
    let inner: Tensor | undefined;
    const kept = T.tidy(() => {
      inner = T.scale(x, 2);
      return T.sum(inner);
    });
    assert.equal(kept.item(), 20);
    assert.throws(() => inner!.toArray(), /released when its tidy\(\) scope ended/);
    assert.deepEqual(x.toArray(), [1, 2, 3, 4]);
  });

  it('keeps memory flat over thousands of training steps', async () => {
    const rng = new T.Rng(1);
    const w = T.randn([64, 64], rng, 0.1);
    w.requiresGrad = true;
    const x = T.randn([32, 64], rng);
    const step = () =>
      T.tidy(() => {
        const h = T.gelu(T.matmul(x, w));
        const loss = T.mean(T.mul(h, h));
        loss.backward();
        w.clearGrad();
        return loss.item();
      });
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // V8 frees array buffers on a background thread after a collection: collect, wait, collect.
    const settled = async () => {
      gc();
      await new Promise((r) => setTimeout(r, 50));
      gc();
      return process.memoryUsage().arrayBuffers;
    };
    for (let i = 0; i < 500; i++) step();
    const pooled = T.pooledByteCount();
    const before = await settled();
    for (let i = 0; i < 3000; i++) step();
    const after = await settled();
    assert.equal(T.pooledByteCount(), pooled);
    assert.ok(after - before < 4 << 20, `array buffer memory grew by ${after - before} bytes`);
  });
});

describe('bad input gives clear errors', () => {
  it('names both shapes on a matmul mismatch', () => {
    const a = T.zeros([2, 3]);
    a.name = 'h';
    const b = T.zeros([4, 5]);
    b.name = 'W';
    assert.throws(
      () => T.matmul(a, b),
      (e: Error) => e instanceof ShapeError && /h \[2, 3\] by W \[4, 5\]/.test(e.message),
    );
  });

  it('names shapes that cannot broadcast', () => {
    assert.throws(
      () => T.add(T.zeros([2, 3]), T.zeros([4])),
      /shapes \[2, 3\] and \[4\] cannot be broadcast/,
    );
  });

  it('rejects token ids outside the embedding table on every backend', () => {
    for (const b of T.nativeAvailable() ? (['ref', 'native'] as const) : (['ref'] as const)) {
      T.setBackend(b);
      assert.throws(() => T.embedding(T.zeros([4, 2]), IntTensor.from([1, 4])), /token id 4 at position 1/);
    }
    T.setBackend('ref');
  });

  it('rejects targets outside the vocabulary', () => {
    assert.throws(() => T.crossEntropy(T.zeros([2, 3]), IntTensor.from([0, 7])), /target 7 at position 1/);
  });

  it('has the native addon check buffer lengths before touching memory', (t) => {
    if (!T.nativeAvailable()) return t.skip('the native addon is not built');
    T.setBackend('native');
    const k = T.kernels();
    const small = new Float32Array(3);
    assert.throws(
      () => k.gemm(false, false, 2, 2, 2, 1, small, 0, 2, small, 0, 2, 0, small, 0, 2, 1, 0, 0, 0),
      /has 3 elements/,
    );
    assert.throws(() => k.geluForward(small, new Float32Array(10), 10), /x has 3 elements/);
    assert.throws(() => k.attentionForward(small, small, small, 1, 2, 4, 3), /not divisible/);
    const big = 2 ** 31 - 1;
    assert.throws(
      () => k.attentionForward(small, small, small, big, big, big - 1, 1),
      /qkv has 3 elements, the kernel needs more/,
    );
    assert.throws(
      () => k.gemm(false, false, 1, 1, 1, 1, small, 0, 1, small, 0, 1, 0, small, 0, 1, big, big, 0, 0),
      /A has 3/,
    );
    assert.throws(
      () => k.layernormForward(small, null, null, small, small, small, 2 ** 40, 1, 1e-5),
      /N is too large/,
    );
    T.setBackend('ref');
  });
});

describe('sampling helpers', () => {
  it('argmax picks the first maximum per row', () => {
    assert.deepEqual(Array.from(T.argmax(T.tensor([1, 3, 3, 0, -1, -2], [2, 3])).data), [1, 0]);
  });
  it('topk returns values in descending order with indices', () => {
    const r = T.topk(T.tensor([0.1, 0.7, 0.2, 0.5], [1, 4]), 2);
    assert.deepEqual(Array.from(r.indices.data), [1, 3]);
    assert.deepEqual(
      Array.from(r.values.data).map((v) => +v.toFixed(3)),
      [0.7, 0.5],
    );
  });
});
