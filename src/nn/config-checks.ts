/** The checks every network config runs on its values, each throwing an error that names the bad one. */
import { LmkitError } from '../errors.js';

/** `v` as a whole number ≥ `min`; else an error naming `name`. */
export function wholeNumber(name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw new LmkitError(`${name} must be a whole number ≥ ${min} (got ${JSON.stringify(v)})`);
  return v;
}

/** `v` as a probability in [0, 1) (a dropout rate); else an error naming `name`. */
export function dropoutRate(name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v < 1))
    throw new LmkitError(`${name} must be in [0, 1) (got ${JSON.stringify(v)})`);
  return v;
}

/** `v` as true or false; else an error naming `name`. */
export function flag(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean')
    throw new LmkitError(`${name} must be true or false (got ${JSON.stringify(v)})`);
  return v;
}

/** `v` as one of `choices`; else an error naming `name` and the choices. */
export function oneOf<T extends string>(name: string, v: unknown, choices: readonly T[]): T {
  if (!choices.includes(v as T))
    throw new LmkitError(`${name} must be ${choices.join(' or ')} (got ${JSON.stringify(v)})`);
  return v as T;
}
