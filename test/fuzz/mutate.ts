/**
 * Seeded fast-check generators of damaged inputs (truncations, bit flips, extreme numbers written over
 * bytes, numbers in text replaced by huge, negative or non-finite ones, deep JSON nesting) and the property
 * every parser of user files must keep: it returns, or throws an LmkitError (the CLI's clear message and
 * exit code), and never anything else.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LmkitError } from '../../src/errors.js';

/** The seed of every fuzz test (fixed: a failure is reproduced by running the test again). */
export const SEED = 16;

/** Options for fc.assert: seeded, bounded in runs and in time. */
export function runs(numRuns: number): fc.Parameters<unknown> {
  return {
    seed: SEED,
    numRuns,
    interruptAfterTimeLimit: 5_000,
    markInterruptAsFailure: false,
    includeErrorInReport: true,
  };
}

/** Little-endian byte patterns of extreme sizes and non-finite floats. */
const EXTREMES: number[][] = [
  [0xff, 0xff, 0xff, 0xff],
  [0xff, 0xff, 0xff, 0x7f],
  [0x00, 0x00, 0x00, 0x80],
  [0x00, 0x00, 0xc0, 0x7f], // f32 NaN
  [0x00, 0x00, 0x80, 0x7f], // f32 +Infinity
  [0x00, 0x00, 0x80, 0xff], // f32 -Infinity
  [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
  [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
  [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00],
];

/** One way of damaging bytes. */
type Damage =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'extreme'; at: number; pattern: number }
  | { kind: 'byte'; at: number; value: number }
  | { kind: 'cut'; at: number; length: number };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('extreme' as const), at: fc.nat(), pattern: fc.nat(EXTREMES.length - 1) }),
  fc.record({ kind: fc.constant('byte' as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
);

/** `bytes` with the damages applied in turn (positions are taken modulo the current length). */
function apply(bytes: Uint8Array, damages: Damage[]): Uint8Array {
  let b = Uint8Array.from(bytes);
  for (const d of damages) {
    if (b.length === 0) break;
    const at = d.at % b.length;
    if (d.kind === 'truncate') b = b.slice(0, at);
    else if (d.kind === 'flip') b[at] ^= 1 << d.bit;
    else if (d.kind === 'byte') b[at] = d.value;
    else if (d.kind === 'extreme')
      EXTREMES[d.pattern].forEach((v, i) => at + i < b.length && (b[at + i] = v));
    else b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + d.length)]);
  }
  return b;
}

/** Copies of `bytes` damaged 1–4 times. */
export function damagedBytes(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.array(damage, { minLength: 1, maxLength: 4 }).map((ds) => apply(bytes, ds));
}

/** Numbers a damaged text file may hold where a count, size or value belongs. */
const WILD_NUMBERS = [
  '-1',
  '0',
  '1e308',
  '-1e308',
  '9007199254740993',
  '4294967296',
  '2147483648',
  'NaN',
  'Infinity',
  '-Infinity',
  'nan',
  'inf',
  '1e-400',
  '0x10',
  '',
];

/** Copies of `text` with 1–4 of its numbers replaced by wild ones, lines dropped or doubled, or cut short. */
export function damagedText(text: string): fc.Arbitrary<string> {
  const edit = fc.oneof(
    fc.record({
      kind: fc.constant('number' as const),
      at: fc.nat(),
      value: fc.constantFrom(...WILD_NUMBERS),
    }),
    fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('double' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let t = text;
    for (const e of edits) {
      if (e.kind === 'truncate') {
        t = t.slice(0, e.at % (t.length + 1));
      } else if (e.kind === 'number') {
        const spans = [...t.matchAll(/-?\d+(\.\d+)?(e-?\d+)?/g)];
        if (!spans.length) continue;
        const m = spans[e.at % spans.length];
        t = t.slice(0, m.index) + e.value + t.slice((m.index ?? 0) + m[0].length);
      } else {
        const lines = t.split('\n');
        const i = e.at % lines.length;
        if (e.kind === 'drop') lines.splice(i, 1);
        else lines.splice(i, 0, lines[i]);
        t = lines.join('\n');
      }
    }
    return t;
  });
}

/** JSON values from fast-check plus wild numbers and arrays nested up to 2,000 deep (deeper ones: {@link deepJsonText}). */
export const wildJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(NaN, Infinity, -Infinity, -1, 1e308, 2 ** 53 + 2, 2 ** 32),
  fc.integer({ min: 500, max: 2_000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth))),
);

/** Text of JSON nested `depth` deep (`[[[...]]]`), which JSON.parse reads but recursive code may not. */
export function deepJsonText(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** Runs `f`; passes when it returns or throws an LmkitError; fails with the input shown otherwise. */
export function returnsOrFailsCleanly(f: () => unknown, shown: () => string = () => ''): void {
  try {
    f();
  } catch (err) {
    if (err instanceof LmkitError) return;
    assert.fail(`not a clear error: ${(err as Error).stack ?? String(err)}\ninput: ${shown().slice(0, 400)}`);
  }
}

/** As {@link returnsOrFailsCleanly} for an async `f`. */
export async function resolvesOrFailsCleanly(
  f: () => Promise<unknown>,
  shown: () => string = () => '',
): Promise<void> {
  try {
    await f();
  } catch (err) {
    if (err instanceof LmkitError) return;
    assert.fail(`not a clear error: ${(err as Error).stack ?? String(err)}\ninput: ${shown().slice(0, 400)}`);
  }
}

/** Every path to a value inside `v` (object keys and array indices), the root included. */
function pathsOf(
  v: unknown,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(at);
  if (out.length > 5_000) return out;
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out);
  return out;
}

/** A deep copy of `v` with the value at `path` replaced by `by` (or removed when `by` is undefined). */
function replaceAt(v: unknown, path: (string | number)[], by: unknown): unknown {
  if (!path.length) return by;
  const copy = (Array.isArray(v) ? [...v] : { ...(v as object) }) as Record<string | number, unknown>;
  const [head, ...rest] = path;
  if (rest.length === 0 && by === undefined) delete copy[head];
  else copy[head] = replaceAt(copy[head], rest, by);
  return copy;
}

/** Copies of the JSON value `v` with 1–3 of its values (at any depth) replaced by wild ones or removed. */
export function damagedJson(v: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(v);
  const edit = fc.tuple(fc.nat(paths.length - 1), fc.option(wildJson, { nil: undefined, freq: 5 }));
  return fc
    .array(edit, { minLength: 1, maxLength: 3 })
    .map((edits) => edits.reduce((acc, [i, by]) => replaceAt(acc, paths[i], by), v));
}
