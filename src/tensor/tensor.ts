/**
 * The Tensor: a contiguous Float32Array (Float64Array for gradient checks) with a shape, plus the
 * autograd tape. Every op records a Node holding its inputs, its outputs and a backward closure;
 * `backward()` runs the nodes in reverse topological order, micrograd-style, accumulating into `.grad`.
 */
import { NonFiniteError, ShapeError, fmt } from './errors.js';
import { allocF32, releaseF32, zerosF32 } from './pool.js';

/** Float tensor storage: float32, or float64 for gradient checks. */
export type Floats = Float32Array | Float64Array;
/** The dtype of a float tensor. */
export type DType = 'float32' | 'float64';

/** One recorded op: `backward` reads its outputs' grads and accumulates into its inputs' grads. */
export interface Node {
  readonly op: string;
  inputs: Tensor[];
  outputs: Tensor[];
  backward: (() => void) | null;
}

/** Shared ownership of a pooled buffer: the last tensor released hands it back to the pool. */
interface Storage {
  refs: number;
}

const EMPTY32 = new Float32Array(0);
let gradEnabled = true;
const scopes: Tensor[][] = [];

/** Number of elements of a shape. */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkShape(shape: readonly number[]): void {
  for (const d of shape)
    if (!Number.isInteger(d) || d < 0)
      throw new ShapeError(`invalid shape ${fmt(shape)}: sizes must be whole numbers ≥ 0`);
}

/** A float tensor: contiguous row-major data, shape, optional gradient and the node that produced it. */
export class Tensor {
  data: Floats;
  readonly shape: readonly number[];
  readonly size: number;
  grad: Floats | null = null;
  requiresGrad: boolean;
  node: Node | null = null;
  name: string | undefined;
  /** Set when the buffer came from the pool (op results); shared by views of the same buffer. */
  storage: Storage | null = null;
  released = false;
  /** Set when a backward pass has freed the graph that produced this tensor. */
  graphFreed = false;

  /** Wraps data (not copied) with a shape; sizes must agree. */
  constructor(data: Floats, shape: readonly number[], requiresGrad = false) {
    checkShape(shape);
    const n = numel(shape);
    if (data.length !== n)
      throw new ShapeError(`data of length ${data.length} does not fit shape ${fmt(shape)} (${n} elements)`);
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.size = n;
    this.requiresGrad = requiresGrad;
  }

  get dtype(): DType {
    return this.data instanceof Float64Array ? 'float64' : 'float32';
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** A short description for error messages: name and shape. */
  describe(): string {
    return `${this.name ?? 'tensor'} ${fmt(this.shape)}`;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    this.assertLive();
    if (this.size !== 1) throw new ShapeError(`item() needs a one-element tensor, got ${this.describe()}`);
    return this.data[0];
  }

  /** The data as a plain array (for tests and printing). */
  toArray(): number[] {
    this.assertLive();
    return Array.from(this.data);
  }

  /** Throws when this tensor's buffer was released by tidy(). */
  assertLive(): void {
    if (this.released)
      throw new Error(
        `${this.describe()} was released when its tidy() scope ended; return it from the scope or keep() it`,
      );
  }

  /** Sets this tensor's gradient to zero (keeping the buffer). */
  zeroGrad(): void {
    this.grad?.fill(0);
  }

  /** Drops the gradient (its buffer goes back to the pool); the next backward starts from zero. */
  clearGrad(): void {
    if (this.grad instanceof Float32Array) releaseF32(this.grad);
    this.grad = null;
  }

  /** The gradient buffer, created zero-filled if absent. */
  ensureGrad(): Floats {
    if (!this.grad) this.grad = this.dtype === 'float64' ? new Float64Array(this.size) : zerosF32(this.size);
    return this.grad;
  }

  /** The gradient buffer to write into and the gemm beta to use: 0 (fresh, contents unspecified) or 1. */
  gradTarget(): [Floats, number] {
    if (this.grad) return [this.grad, 1];
    this.grad = this.dtype === 'float64' ? new Float64Array(this.size) : allocF32(this.size);
    return [this.grad, 0];
  }

  /** Back-propagates from this scalar (or from `grad` of this shape) through the recorded ops. */
  backward(grad?: Floats): void {
    this.assertLive();
    if (grad === undefined) {
      if (this.size !== 1)
        throw new ShapeError(`backward() needs a one-element loss, got ${this.describe()}; pass a gradient`);
      if (!Number.isFinite(this.data[0]))
        throw new NonFiniteError(`loss ${this.name ?? ''} is ${this.data[0]}`.replace('  ', ' '));
    } else if (grad.length !== this.size) {
      throw new ShapeError(`backward(): gradient of length ${grad.length} for ${this.describe()}`);
    }
    if (!this.requiresGrad) throw new Error(`backward(): ${this.describe()} does not require a gradient`);
    if (this.graphFreed)
      throw new Error(
        `backward(): the graph behind ${this.describe()} was freed by an earlier backward(); recompute the loss`,
      );
    const g = this.ensureGrad();
    if (grad === undefined) g[0] += 1;
    else for (let i = 0; i < g.length; i++) g[i] += grad[i];
    const order = topoSort(this);
    for (let i = order.length - 1; i >= 0; i--) {
      const node = order[i];
      if (node.backward && node.outputs.some((o) => o.grad !== null)) node.backward();
      for (const o of node.outputs) {
        o.node = null;
        o.graphFreed = true;
        if (o.grad instanceof Float32Array) releaseF32(o.grad);
        o.grad = null;
      }
      node.inputs = [];
      node.outputs = [];
      node.backward = null;
    }
  }
}

/** Nodes reachable from t, each after the nodes that produced its inputs (iterative DFS). */
function topoSort(t: Tensor): Node[] {
  const order: Node[] = [];
  if (!t.node) return order;
  const seen = new Set<Node>([t.node]);
  const stack: [Node, number][] = [[t.node, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [node, k] = top;
    if (k < node.inputs.length) {
      top[1] = k + 1;
      const child = node.inputs[k].node;
      if (child && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order;
}

/** An integer tensor (token ids, targets, indices); it never carries a gradient. */
export class IntTensor {
  readonly data: Int32Array;
  readonly shape: readonly number[];
  readonly size: number;

  /** Wraps int32 data (not copied) with a shape. */
  constructor(data: Int32Array, shape: readonly number[]) {
    checkShape(shape);
    if (data.length !== numel(shape))
      throw new ShapeError(`data of length ${data.length} does not fit shape ${fmt(shape)}`);
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.size = data.length;
  }

  /** A short description for error messages. */
  describe(): string {
    return `int tensor ${fmt(this.shape)}`;
  }

  /** An int tensor from plain numbers. */
  static from(values: ArrayLike<number>, shape: readonly number[] = [values.length]): IntTensor {
    return new IntTensor(Int32Array.from(values), shape);
  }
}

/** Whether ops record the tape right now. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs fn without recording the tape (inference): results do not require gradients. */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * Runs fn and then releases the results of every op computed inside it, except those it returns
 * (a tensor, or an array or object of tensors), which move to the enclosing scope.
 */
export function tidy<T>(fn: () => T): T {
  const scope: Tensor[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  const keep = new Set<Tensor>();
  collect(result, keep);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (keep.has(t)) parent?.push(t);
    else release(t);
  }
  return result;
}

function collect(v: unknown, out: Set<Tensor>): void {
  if (v instanceof Tensor) out.add(v);
  else if (Array.isArray(v)) for (const x of v) collect(x, out);
  else if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    for (const x of Object.values(v)) collect(x, out);
}

/** Exempts a tensor from release by the tidy() scopes it was created in. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) {
    const i = s.indexOf(t);
    if (i >= 0) s.splice(i, 1);
  }
  return t;
}

/** Releases a tensor's buffers now; any later use of it throws. */
export function release(t: Tensor): void {
  if (t.released) return;
  t.released = true;
  if (t.storage && --t.storage.refs === 0 && t.data instanceof Float32Array) releaseF32(t.data);
  if (t.grad instanceof Float32Array && t.node !== null) releaseF32(t.grad);
  t.data = EMPTY32;
  t.grad = null;
  t.node = null;
}

/** A new op-result tensor with unspecified contents, drawn from the pool and tracked by tidy(). */
export function empty(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const n = numel(shape);
  const t = new Tensor(dtype === 'float64' ? new Float64Array(n) : allocF32(n), shape);
  if (dtype === 'float32') t.storage = { refs: 1 };
  scopes[scopes.length - 1]?.push(t);
  return t;
}

/** A tensor sharing `src`'s buffer with a new shape of the same size (reshape without copying). */
export function viewOf(src: Tensor, shape: readonly number[]): Tensor {
  const t = new Tensor(src.data, shape);
  if (src.storage) {
    t.storage = src.storage;
    src.storage.refs++;
  }
  scopes[scopes.length - 1]?.push(t);
  return t;
}

/**
 * Records an op: marks the outputs as requiring grad when any input does (and grad is enabled) and
 * attaches the backward closure. Returns whether the tape was recorded.
 */
export function record(op: string, inputs: Tensor[], outputs: Tensor[], backward: () => void): boolean {
  if (!gradEnabled) return false;
  let needs = false;
  for (const t of inputs) if (t.requiresGrad) needs = true;
  if (!needs) return false;
  const node: Node = { op, inputs, outputs, backward };
  for (const o of outputs) {
    o.requiresGrad = true;
    o.node = node;
  }
  return true;
}

/** Checks that a tensor is alive before an op reads it. */
export function live(t: Tensor): Tensor {
  if (t.released) t.assertLive();
  return t;
}
