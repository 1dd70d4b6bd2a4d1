/**
 * The native word2vec kernel (native/word2vec.cc in build/Release/lmkit.node), when the addon is built and
 * has it; null otherwise, and training falls back to the TypeScript reference (kernel-ref.ts).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../util/package-root.js';
import type { KernelParams, KernelResult, Word2VecState } from './kernel-ref.js';

type RawTrain = (...args: unknown[]) => KernelResult;

let cached: RawTrain | null | undefined;

function load(): RawTrain | null {
  if (cached !== undefined) return cached;
  cached = null;
  try {
    const file = join(packageRoot(), 'build', 'Release', 'lmkit.node');
    if (!existsSync(file)) return cached;
    const addon = createRequire(import.meta.url)(file) as { word2vecTrain?: RawTrain };
    if (typeof addon.word2vecTrain === 'function') cached = addon.word2vecTrain;
  } catch {
    cached = null; // a foreign or stale build: the reference kernel is used
  }
  return cached;
}

/** Whether the native kernel is available. */
export function hasNativeWord2Vec(): boolean {
  return load() !== null;
}

/** Trains sentences [s0, s1) on `threads` Hogwild threads, as trainSentencesRef does on one. */
export function trainSentencesNative(
  st: Word2VecState,
  ids: Int32Array,
  starts: Int32Array,
  p: KernelParams,
  epoch: number,
  s0: number,
  s1: number,
  wordsBefore: number,
  threads: number,
): KernelResult {
  const train = load();
  if (!train) throw new Error('the native word2vec kernel is not built');
  const i32 = (u: Uint32Array) => new Int32Array(u.buffer, u.byteOffset, u.length);
  return train(
    st.syn0,
    p.negative > 0 ? st.syn1neg : null,
    p.hs ? st.syn1 : null,
    i32(st.noise),
    i32(st.keep),
    st.huffman.offsets,
    st.huffman.codes,
    st.huffman.points,
    ids,
    starts,
    p.dim,
    p.window,
    p.negative,
    p.hs,
    p.sg,
    p.alpha,
    p.minAlpha,
    p.totalWords,
    p.seed >>> 0,
    p.computeLoss,
    epoch,
    s0,
    s1,
    wordsBefore,
    threads,
  );
}
