/**
 * Optimizers (SGD with momentum, Adam, AdamW with decoupled weight decay) and gradient clipping by
 * global norm. Formulas follow PyTorch's. Gradient accumulation needs nothing special: call
 * backward() on several micro-batches (losses scaled by 1/count) before one step().
 */
import { kernelsFor } from '../tensor/backend.js';
import { NonFiniteError, ShapeError } from '../tensor/errors.js';
import type { Floats, Tensor } from '../tensor/tensor.js';
import type { NamedParam, ParamRole } from './module.js';

type ParamsIn = NamedParam[] | Tensor[];

function named(params: ParamsIn): NamedParam[] {
  return params.map((p, i) =>
    'tensor' in p ? p : { name: p.name ?? `param${i}`, tensor: p, role: 'weight' as ParamRole },
  );
}

function like(t: Tensor): Floats {
  return t.dtype === 'float64' ? new Float64Array(t.size) : new Float32Array(t.size);
}

/** Common parts: the parameters, the learning rate and zeroGrad. */
abstract class Optimizer {
  protected readonly params: NamedParam[];
  stepCount = 0;

  constructor(
    params: ParamsIn,
    public lr: number,
  ) {
    this.params = named(params);
  }

  /** Clears every parameter's gradient (set to none, as PyTorch), or fills it with zeros when setToNone is false. */
  zeroGrad(setToNone = true): void {
    for (const p of this.params) {
      if (setToNone) p.tensor.clearGrad();
      else p.tensor.zeroGrad();
    }
  }

  /** Applies one update using the current gradients (learning rate `lr` if given). */
  abstract step(lr?: number): void;
}

/** Options of SGD. */
export interface SGDOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
}

/** Stochastic gradient descent with (PyTorch-style) momentum and L2 weight decay. */
export class SGD extends Optimizer {
  private readonly momentum: number;
  private readonly weightDecay: number;
  private readonly buf = new Map<Tensor, Floats>();

  /** SGD over the parameters. */
  constructor(params: ParamsIn, opts: SGDOptions) {
    super(params, opts.lr);
    this.momentum = opts.momentum ?? 0;
    this.weightDecay = opts.weightDecay ?? 0;
  }

  /** p −= lr · v, v = μ v + (g + λ p) (v = g on the first step). */
  step(lr = this.lr): void {
    this.stepCount++;
    for (const { tensor: p } of this.params) {
      const g = p.grad;
      if (!g) continue;
      const x = p.data;
      let v = this.buf.get(p);
      const first = !v;
      if (this.momentum !== 0 && !v) this.buf.set(p, (v = like(p)));
      for (let i = 0; i < x.length; i++) {
        const d = g[i] + this.weightDecay * x[i];
        if (v) v[i] = first ? d : this.momentum * v[i] + d;
        x[i] -= lr * (v ? v[i] : d);
      }
    }
  }
}

/** Options of Adam and AdamW. */
export interface AdamOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** Parameter roles exempt from weight decay (e.g. ['bias', 'norm', 'embedding']); none by default. */
  noDecay?: ParamRole[];
}

/** AdamW: Adam with weight decay applied to the parameters directly (decoupled), as PyTorch's AdamW. */
export class AdamW extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  private readonly noDecay: Set<ParamRole>;
  private readonly m = new Map<Tensor, Floats>();
  private readonly v = new Map<Tensor, Floats>();
  protected coupled = false;

  /** AdamW over the parameters (weight decay 0.01 by default, as PyTorch). */
  constructor(params: ParamsIn, opts: AdamOptions) {
    super(params, opts.lr);
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.01;
    this.noDecay = new Set(opts.noDecay ?? []);
  }

  /** One update of every parameter that has a gradient. */
  step(lr = this.lr): void {
    this.stepCount++;
    for (const { tensor: p, role } of this.params) {
      const g = p.grad;
      if (!g) continue;
      let m = this.m.get(p);
      let v = this.v.get(p);
      if (!m || !v) {
        this.m.set(p, (m = like(p)));
        this.v.set(p, (v = like(p)));
      }
      const wd = this.noDecay.has(role) ? 0 : this.weightDecay;
      const k = kernelsFor(p.data);
      if (this.coupled && wd !== 0) {
        // Adam's L2 penalty: g += λ p before the moments
        for (let i = 0; i < g.length; i++) g[i] += wd * p.data[i];
        k.adamw(p.data, g, m, v, p.size, lr, this.betas[0], this.betas[1], this.eps, 0, this.stepCount);
      } else {
        k.adamw(p.data, g, m, v, p.size, lr, this.betas[0], this.betas[1], this.eps, wd, this.stepCount);
      }
    }
  }

  /**
   * Restores moment buffers saved by stateBuffers() and the step count, for exact resume; every
   * parameter's buffers must be present with its size (errors name the tensor).
   */
  loadState(buffers: Map<string, { data: ArrayLike<number> }>, stepCount: number): void {
    // saved before the first step (a run's step-0 checkpoint): there are no moments yet
    if (buffers.size === 0 && stepCount === 0) {
      this.stepCount = 0;
      return;
    }
    for (const { name, tensor } of this.params) {
      for (const [suffix, store] of [
        ['exp_avg', this.m],
        ['exp_avg_sq', this.v],
      ] as const) {
        const saved = buffers.get(`${name}.${suffix}`);
        if (!saved)
          throw new ShapeError(`optimizer state has no '${name}.${suffix}'`, 'is it from another model?');
        if (saved.data.length !== tensor.size)
          throw new ShapeError(
            `optimizer state '${name}.${suffix}' has ${saved.data.length} values, the parameter has ${tensor.size}`,
          );
        const buf = like(tensor);
        buf.set(saved.data);
        store.set(tensor, buf);
      }
    }
    this.stepCount = stepCount;
  }

  /** The moment buffers by parameter name (`<name>.exp_avg`, `<name>.exp_avg_sq`), shaped like their parameters. */
  stateBuffers(): Map<string, { shape: readonly number[]; data: Floats }> {
    const out = new Map<string, { shape: readonly number[]; data: Floats }>();
    for (const { name, tensor } of this.params) {
      const m = this.m.get(tensor);
      const v = this.v.get(tensor);
      if (m && v) {
        out.set(`${name}.exp_avg`, { shape: tensor.shape, data: m });
        out.set(`${name}.exp_avg_sq`, { shape: tensor.shape, data: v });
      }
    }
    return out;
  }
}

/** Adam with L2 weight decay added to the gradient (PyTorch's Adam; weight decay 0 by default). */
export class Adam extends AdamW {
  /** Adam over the parameters. */
  constructor(params: ParamsIn, opts: AdamOptions) {
    super(params, { ...opts, weightDecay: opts.weightDecay ?? 0 });
    this.coupled = true;
  }
}

/**
 * Scales all gradients so their global L2 norm is at most maxNorm (PyTorch's clip_grad_norm_);
 * returns the norm before clipping. Throws NonFiniteError naming a parameter with a NaN/Inf gradient.
 */
export function clipGradNorm(params: Tensor[] | NamedParam[], maxNorm: number): number {
  const list = named(params);
  let total = 0;
  for (const { tensor } of list) {
    const g = tensor.grad;
    if (g) total += kernelsFor(g).sumSquares(g, g.length);
  }
  const norm = Math.sqrt(total);
  if (!Number.isFinite(norm)) {
    const bad = list.find(({ tensor }) => tensor.grad?.some((x) => !Number.isFinite(x)));
    throw new NonFiniteError(`gradient of ${bad ? `'${bad.name}'` : 'a parameter'} is not finite`);
  }
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1)
    for (const { tensor } of list) {
      const g = tensor.grad;
      if (g) kernelsFor(g).scaleInPlace(g, g.length, coef);
    }
  return norm;
}
