/** Errors the tensor engine raises for bad input: each names the op, the tensors and their shapes. */
import { LmkitError } from '../errors.js';

/** Shapes that do not fit an op (or a checkpoint that does not fit a model). */
export class ShapeError extends LmkitError {
  /** Creates a shape error; the message names the op and the shapes involved. */
  constructor(message: string, hint?: string) {
    super(message, { hint });
    this.name = 'ShapeError';
  }
}

/** A loss or gradient that became NaN or infinite. */
export class NonFiniteError extends LmkitError {
  /** Creates a non-finite error naming where the value appeared. */
  constructor(message: string) {
    super(message, {
      hint: 'lower the learning rate, enable gradient clipping, or check the data for empty or invalid examples',
    });
    this.name = 'NonFiniteError';
  }
}

/** Formats a shape as `[2, 3]`. */
export function fmt(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
