/**
 * Module: a tree of named parameters and sub-modules (PyTorch-style dotted names such as
 * `h.0.attn.c_attn.weight`), with train/eval mode, zeroGrad and state-dict load/save checks.
 */
import { ShapeError, fmt } from '../tensor/errors.js';
import { Tensor } from '../tensor/tensor.js';

/** What a parameter is, so optimizers can treat kinds differently (e.g. no weight decay on norms). */
export type ParamRole = 'weight' | 'bias' | 'norm' | 'embedding';

/** A parameter with its dotted name and role. */
export interface NamedParam {
  name: string;
  tensor: Tensor;
  role: ParamRole;
}

/** Base class of every layer and model. */
export class Module {
  private readonly ownParams = new Map<string, { tensor: Tensor; role: ParamRole }>();
  private readonly children = new Map<string, Module>();
  training = true;

  /** Registers a parameter (marked as requiring grad) under a local name. */
  protected param(name: string, t: Tensor, role: ParamRole = 'weight'): Tensor {
    t.requiresGrad = true;
    t.name = name;
    this.ownParams.set(name, { tensor: t, role });
    return t;
  }

  /** Registers a sub-module under a local name. */
  protected module<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  /** Every parameter with its full dotted name, depth-first in registration order; shared tensors once. */
  namedParameters(prefix = ''): NamedParam[] {
    const out: NamedParam[] = [];
    const seen = new Set<Tensor>();
    const visit = (m: Module, p: string) => {
      for (const [n, { tensor, role }] of m.ownParams) {
        if (seen.has(tensor)) continue;
        seen.add(tensor);
        tensor.name = p + n;
        out.push({ name: p + n, tensor, role });
      }
      for (const [n, c] of m.children) visit(c, `${p}${n}.`);
    };
    visit(this, prefix);
    return out;
  }

  /** The parameter tensors. */
  parameters(): Tensor[] {
    return this.namedParameters().map((p) => p.tensor);
  }

  /** Total number of parameter elements. */
  parameterCount(): number {
    return this.parameters().reduce((s, t) => s + t.size, 0);
  }

  /** Sets training mode (dropout active) on this module and all below it. */
  train(on = true): this {
    this.training = on;
    for (const c of this.children.values()) c.train(on);
    return this;
  }

  /** Sets evaluation mode. */
  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter gradient (set to none), or zero-fills them when setToNone is false. */
  zeroGrad(setToNone = true): void {
    for (const t of this.parameters()) {
      if (setToNone) t.clearGrad();
      else t.zeroGrad();
    }
  }

  /** Parameters by name (the tensors themselves, not copies). */
  stateDict(): Map<string, Tensor> {
    return new Map(this.namedParameters().map((p) => [p.name, p.tensor]));
  }

  /**
   * Copies values into the parameters. Every parameter must be present with its exact shape, and
   * (unless `strict` is false) nothing else may be; errors name the tensor and both shapes.
   */
  loadStateDict(
    values: Map<string, { shape: readonly number[]; data: ArrayLike<number> }>,
    strict = true,
  ): void {
    const params = this.namedParameters();
    const missing = params.filter((p) => !values.has(p.name)).map((p) => p.name);
    if (missing.length)
      throw new ShapeError(
        `checkpoint is missing ${missing.length} tensor(s) the model needs: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`,
        'is the checkpoint from another architecture?',
      );
    for (const p of params) {
      const v = values.get(p.name)!;
      if (fmt(v.shape) !== fmt(p.tensor.shape))
        throw new ShapeError(
          `checkpoint tensor '${p.name}' has shape ${fmt(v.shape)}, the model expects ${fmt(p.tensor.shape)}`,
          'is the checkpoint from a model with another configuration?',
        );
    }
    if (strict) {
      const known = new Set(params.map((p) => p.name));
      const extra = [...values.keys()].filter((k) => !known.has(k));
      if (extra.length)
        throw new ShapeError(
          `checkpoint has ${extra.length} tensor(s) the model does not: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', ...' : ''}`,
          'is the checkpoint from another architecture?',
        );
    }
    for (const p of params) p.tensor.data.set(values.get(p.name)!.data);
  }
}
