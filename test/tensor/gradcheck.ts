/**
 * Gradient checking for tensor ops: float64 analytic gradients on the ref backend against central
 * finite differences, then each backend in float32 against those float64 values.
 */
import assert from 'node:assert/strict';
import {
  IntTensor,
  Rng,
  Tensor,
  noGrad,
  setBackend,
  type BackendName,
  type DType,
} from '../../src/tensor/index.js';

/** How to draw one input: its shape and the range its values come from. */
export interface InputSpec {
  shape: number[];
  /** 'normal' (default), 'positive' (0.5..2), 'away' (|x| in 0.3..2, sign random). */
  kind?: 'normal' | 'positive' | 'away';
  /** Whether a gradient is checked for it (default true). */
  grad?: boolean;
}

/** One op under test: the float inputs, optional int inputs, and the function building the output. */
export interface OpCase {
  name: string;
  inputs: InputSpec[];
  ints?: IntTensor[];
  fn: (xs: Tensor[], ints: IntTensor[]) => Tensor;
}

function draw(spec: InputSpec, rng: Rng): number[] {
  const n = spec.shape.reduce((p, d) => p * d, 1);
  return Array.from({ length: n }, () => {
    if (spec.kind === 'positive') return 0.5 + 1.5 * rng.uniform();
    if (spec.kind === 'away') return (rng.uniform() < 0.5 ? -1 : 1) * (0.3 + 1.7 * rng.uniform());
    return rng.normal();
  });
}

function make(values: number[], shape: number[], dtype: DType, grad: boolean): Tensor {
  const data = dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  return new Tensor(data, shape, grad);
}

interface Run {
  out: number[];
  grads: (number[] | null)[];
}

function run(c: OpCase, values: number[][], weights: number[], dtype: DType): Run {
  const xs = c.inputs.map((s, i) => make(values[i], s.shape, dtype, s.grad !== false));
  const out = c.fn(xs, c.ints ?? []);
  const w = dtype === 'float64' ? Float64Array.from(weights) : Float32Array.from(weights);
  out.backward(w);
  return {
    out: Array.from(out.data),
    grads: xs.map((x, i) => (c.inputs[i].grad === false ? null : Array.from(x.grad ?? []))),
  };
}

/** Σ out·w in float64 for the given input values, without recording the tape. */
function objective(c: OpCase, values: number[][], weights: number[]): number {
  return noGrad(() => {
    const xs = c.inputs.map((s, i) => make(values[i], s.shape, 'float64', false));
    const out = c.fn(xs, c.ints ?? []);
    let s = 0;
    for (let i = 0; i < out.size; i++) s += out.data[i] * weights[i];
    return s;
  });
}

/** Checks an op's gradients against finite differences (float64, ref) and every backend against ref. */
export function checkOp(c: OpCase, backends: BackendName[], seed = 1): void {
  const rng = new Rng(seed);
  const values = c.inputs.map((s) => draw(s, rng));
  setBackend('ref');
  const probe = noGrad(() =>
    c.fn(
      c.inputs.map((s, i) => make(values[i], s.shape, 'float64', false)),
      c.ints ?? [],
    ),
  );
  const weights = Array.from({ length: probe.size }, () => rng.normal());
  const ref = run(c, values, weights, 'float64');

  // float64 analytic vs central differences, on up to 40 sampled coordinates per input
  const eps = 1e-6;
  c.inputs.forEach((spec, i) => {
    if (spec.grad === false) return;
    const n = values[i].length;
    const picks = n <= 40 ? [...Array(n).keys()] : Array.from({ length: 40 }, () => rng.int(n));
    for (const j of picks) {
      const plus = values.map((v) => [...v]);
      const minus = values.map((v) => [...v]);
      plus[i][j] += eps;
      minus[i][j] -= eps;
      const numeric = (objective(c, plus, weights) - objective(c, minus, weights)) / (2 * eps);
      const analytic = ref.grads[i]![j];
      assert.ok(
        Math.abs(numeric - analytic) <= 1e-6 + 1e-5 * Math.abs(numeric),
        `${c.name}: d/d input ${i}[${j}] analytic ${analytic} vs numeric ${numeric}`,
      );
    }
  });

  // each backend in float32 against the float64 reference
  for (const b of backends) {
    setBackend(b);
    const got = run(c, values, weights, 'float32');
    close(got.out, ref.out, `${c.name} [${b}] output`);
    got.grads.forEach((g, i) => {
      if (g) close(g, ref.grads[i]!, `${c.name} [${b}] grad of input ${i}`);
    });
  }
  setBackend('ref');
}

/** Asserts float32 results match float64 ones to ~1e-4 of the tensor's scale. */
export function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rtol = 1e-4): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let scale = 1e-3;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    assert.ok(
      err <= rtol * (scale + Math.abs(want[i])),
      `${what}[${i}]: ${got[i]} vs ${want[i]} (scale ${scale})`,
    );
  }
}
