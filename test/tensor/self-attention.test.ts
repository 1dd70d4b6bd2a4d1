import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { testBackends } from './backends.js';

/** qkv (1,T,3C) of normal values from a seed. */
function randomQKV(T_: number, C: number, seed: number): T.Tensor {
  return T.randn([1, T_, 3 * C], new T.Rng(seed));
}

describe('selfAttention (bidirectional, key padding mask)', () => {
  for (const backend of testBackends())
    it(`[${backend}] ignores masked keys: changing a padded position changes no other output`, () => {
      T.setBackend(backend);
      const a = randomQKV(6, 8, 1);
      const b = T.tensor(Array.from(a.data), a.shape);
      for (let c = 0; c < 24; c++) b.data[5 * 24 + c] += 3; // position 5 is padding
      const mask = T.IntTensor.from([1, 1, 1, 1, 1, 0], [1, 6]);
      const ya = T.selfAttention(a, 2, mask).data;
      const yb = T.selfAttention(b, 2, mask).data;
      for (let i = 0; i < 5 * 8; i++) assert.ok(Math.abs(ya[i] - yb[i]) < 1e-6, `output ${i}`);
      // and without the mask position 5 is attended to, so the outputs move
      const za = T.selfAttention(a, 2).data;
      const zb = T.selfAttention(b, 2).data;
      assert.ok(Math.abs(za[0] - zb[0]) > 1e-4);
    });

  for (const backend of testBackends())
    it(`[${backend}] lets the first position see the last (unlike causal attention)`, () => {
      T.setBackend(backend);
      const a = randomQKV(4, 8, 2);
      const b = T.tensor(Array.from(a.data), a.shape);
      for (let c = 16; c < 24; c++) b.data[3 * 24 + c] += 1; // the last position's value
      assert.ok(Math.abs(T.selfAttention(a, 2).data[0] - T.selfAttention(b, 2).data[0]) > 1e-4);
      assert.equal(T.causalSelfAttention(a, 2).data[0], T.causalSelfAttention(b, 2).data[0]);
    });

  it('refuses a mask that hides every key of a row', () => {
    assert.throws(
      () => T.selfAttention(randomQKV(3, 4, 3), 2, T.IntTensor.from([0, 0, 0], [1, 3])),
      /masks every key/,
    );
  });
});
